"""Retry settings (SPEC §9).

``RetryPolicy`` describes how a retried operation backs off: up to
``max_retries`` further attempts, sleeping ``initial_delay`` seconds first and
multiplying by ``backoff_factor`` each time, capped at ``max_delay``, with
``jitter`` (a fraction of the delay) added at random.
"""

from __future__ import annotations

from dataclasses import dataclass

from dynamorm.errors import ValidationError

__all__ = ["RetryPolicy"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How retryable errors are retried: attempts, delays and jitter."""

    max_retries: int = 3
    initial_delay: float = 0.1
    max_delay: float = 5.0
    backoff_factor: float = 2.0
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValidationError(f"RetryPolicy.max_retries must be >= 0, got {self.max_retries}")
        for name in ("initial_delay", "max_delay", "jitter"):
            if getattr(self, name) < 0:
                raise ValidationError(f"RetryPolicy.{name} must be >= 0, got {getattr(self, name)}")
        if self.backoff_factor < 1:
            raise ValidationError(
                f"RetryPolicy.backoff_factor must be >= 1, got {self.backoff_factor}"
            )
