"""TLS certificates for the tests' local HTTPS servers, from a certificate
authority made on the spot (trustme): no certificate is stored in the
repository, and nothing but the tests trusts the authority.

``CertificateAuthority(directory)`` writes, under ``directory``, the
authority's certificate (``bundle``: what a client given ``verify=`` trusts)
and a client certificate it issued (``client_cert`` and ``client_key``, and
both in one file, ``client_pem``); ``server_context()`` is the
``ssl.SSLContext`` of a server at ``127.0.0.1`` presenting a certificate the
authority issued, and asking for a client certificate it issued when
``require_client_cert``.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme

SERVER_NAME = "127.0.0.1"
"""The address the server certificate is issued for (its IP address SAN)."""

CLIENT_NAME = "client.dynamorm.test"
"""The subject of the client certificate."""


class CertificateAuthority:
    """A certificate authority for one test run, and the files of what it
    issued (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self._ca = trustme.CA()
        self._server = self._ca.issue_cert(SERVER_NAME)
        client = self._ca.issue_cert(CLIENT_NAME)
        self.bundle = directory / "ca.pem"
        """The authority's certificate, PEM."""
        self.client_cert = directory / "client-cert.pem"
        """The client certificate (and the chain up to the authority), PEM."""
        self.client_key = directory / "client-key.pem"
        """The client certificate's private key, PEM."""
        self.client_pem = directory / "client.pem"
        """The client's key and certificate chain in one PEM file."""
        self._ca.cert_pem.write_to_path(str(self.bundle))
        self.client_key.write_bytes(client.private_key_pem.bytes())
        self.client_cert.write_bytes(b"".join(pem.bytes() for pem in client.cert_chain_pems))
        client.private_key_and_cert_chain_pem.write_to_path(str(self.client_pem))

    def server_context(self, *, require_client_cert: bool = False) -> ssl.SSLContext:
        """A server's TLS context: the authority's certificate for
        ``SERVER_NAME``; with ``require_client_cert``, a handshake without a
        client certificate the authority issued fails."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._server.configure_cert(context)
        if require_client_cert:
            self._ca.configure_trust(context)
            context.verify_mode = ssl.CERT_REQUIRED
        return context
