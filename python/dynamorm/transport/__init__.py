"""Everything that touches botocore: the ``Executor`` (the one place a
request is sent and a botocore error is mapped), the ``Transport`` it sends
through (``base``; ``BotocoreTransport`` is the one implementation), the
client a ``DB`` creates (``client``), the botocore hooks of the fast path
(``hooks``), the Rust signer (``signing``), response-shape checks
(``shapes``), fork safety (``forking``) and every private botocore name used
(``_botocore_private``)."""
