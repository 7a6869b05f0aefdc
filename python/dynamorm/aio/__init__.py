"""dynamorm under asyncio. So far the retry scheduler's asyncio driver,
``dynamorm.aio.retry``; importing this package imports nothing else."""
