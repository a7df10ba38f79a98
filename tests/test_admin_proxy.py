"""Only a reverse proxy on this machine is believed when it says the browser came over TLS."""

from __future__ import annotations

from unittest import mock

import pytest
from aiohttp.test_utils import make_mocked_request

from bot.web.admin.auth import is_secure


@pytest.mark.parametrize(("peer", "proto", "secure"), [
    ("127.0.0.1", "https", True),
    ("::1", "https", True),
    ("127.0.0.1", "http", False),
    ("127.0.0.1", "", False),
    ("203.0.113.9", "https", False),  # a client cannot make its own cookies Secure-less or Secure by a header
    ("127.0.0.1", "https, http", False),  # the proxy's own value is the last one
])
def test_x_forwarded_proto_counts_only_from_loopback(peer: str, proto: str, secure: bool) -> None:
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (peer, 443) if name == "peername" else default
    headers = {"X-Forwarded-Proto": proto} if proto else {}
    request = make_mocked_request("GET", "/admin/login", headers=headers, transport=transport)
    assert is_secure(request) is secure
