"""Webhook targets: only globally routable unicast addresses, checked against every block of
IANA's IPv4 and IPv6 special-purpose address registries, with wrapped IPv4 forms unwrapped."""

from __future__ import annotations

import ipaddress

import pytest

from booking.services.outbox.subscriptions import refusal

# (an address in the block, the block as the registry names it, may a webhook go there?)
IPV4_REGISTRY = [
    ("0.1.2.3", "0.0.0.0/8 this network", False),
    ("10.1.2.3", "10.0.0.0/8 private-use", False),
    ("100.64.0.1", "100.64.0.0/10 shared address space", False),
    ("100.100.100.200", "100.64.0.0/10 (a cloud metadata address)", False),
    ("127.0.0.1", "127.0.0.0/8 loopback", False),
    ("169.254.169.254", "169.254.0.0/16 link local", False),
    ("172.16.5.4", "172.16.0.0/12 private-use", False),
    ("192.0.0.1", "192.0.0.0/24 IETF protocol assignments", False),
    ("192.0.0.8", "192.0.0.8/32 IPv4 dummy address", False),
    ("192.0.0.9", "192.0.0.9/32 port control protocol anycast", True),
    ("192.0.0.10", "192.0.0.10/32 traversal using relays around NAT anycast", True),
    ("192.0.0.170", "192.0.0.170/32 NAT64/DNS64 discovery", False),
    ("192.0.0.171", "192.0.0.171/32 NAT64/DNS64 discovery", False),
    ("192.0.2.1", "192.0.2.0/24 documentation (TEST-NET-1)", False),
    ("192.31.196.1", "192.31.196.0/24 AS112-v4", True),
    ("192.52.193.1", "192.52.193.0/24 AMT", True),
    ("192.88.99.1", "192.88.99.0/24 deprecated 6to4 relay anycast", False),
    ("192.168.1.1", "192.168.0.0/16 private-use", False),
    ("192.175.48.1", "192.175.48.0/24 direct delegation AS112 service", True),
    ("198.18.0.1", "198.18.0.0/15 benchmarking", False),
    ("198.51.100.1", "198.51.100.0/24 documentation (TEST-NET-2)", False),
    ("203.0.113.1", "203.0.113.0/24 documentation (TEST-NET-3)", False),
    ("240.0.0.1", "240.0.0.0/4 reserved", False),
    ("255.255.255.255", "255.255.255.255/32 limited broadcast", False),
    ("224.0.0.1", "224.0.0.0/4 multicast (not special-purpose, not unicast)", False),
    ("8.8.8.8", "an ordinary global address", True),
    ("145.97.39.155", "an ordinary global address", True),
]
IPV6_REGISTRY = [
    ("::1", "::1/128 loopback", False),
    ("::", "::/128 unspecified", False),
    ("::ffff:127.0.0.1", "::ffff:0:0/96 IPv4-mapped, carrying loopback", False),
    ("::ffff:8.8.8.8", "::ffff:0:0/96 IPv4-mapped, carrying a global address", True),
    ("::10.0.0.1", "::/96 IPv4-compatible (deprecated)", False),
    ("64:ff9b::a9fe:a9fe", "64:ff9b::/96 NAT64, carrying link local", False),
    ("64:ff9b::808:808", "64:ff9b::/96 NAT64, carrying a global address", True),
    ("64:ff9b:1::1", "64:ff9b:1::/48 local-use IPv4/IPv6 translation", False),
    ("100::1", "100::/64 discard-only", False),
    ("100:0:0:1::1", "100:0:0:1::/64 dummy IPv6 prefix", False),
    ("2001:2::1", "2001:2::/48 benchmarking", False),
    ("2001:1::1", "2001:1::1/128 port control protocol anycast", True),
    ("2001:1::2", "2001:1::2/128 TURN anycast", True),
    ("2001:1::3", "2001:1::3/128 DNS-SD service registration anycast", True),
    ("2001:3::1", "2001:3::/32 AMT", True),
    ("2001:4:112::1", "2001:4:112::/48 AS112-v6", True),
    ("2001:10::1", "2001:10::/28 deprecated ORCHID", False),
    ("2001:20::1", "2001:20::/28 ORCHIDv2", True),
    ("2001:30::1", "2001:30::/28 drone remote ID", True),
    ("2001:100::1", "2001::/23 IETF protocol assignments", False),
    ("2001:db8::1", "2001:db8::/32 documentation", False),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32 Teredo, carrying documentation", False),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "2001::/32 Teredo, carrying 127.0.0.1", False),
    # Teredo is refused whatever it carries: a tunnel, not a destination.
    ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "2001::/32 Teredo, carrying 8.8.8.8", False),
    ("2002:7f00:1::1", "2002::/16 6to4, carrying loopback", False),
    ("2002:a9fe:a9fe::1", "2002::/16 6to4, carrying link local", False),
    ("2002:808:808::1", "2002::/16 6to4, carrying a global address", True),
    ("2620:4f:8000::1", "2620:4f:8000::/48 direct delegation AS112 service", True),
    ("3fff::1", "3fff::/20 documentation", False),
    ("5f00::1", "5f00::/16 segment routing SIDs", False),
    ("fd12:3456::1", "fc00::/7 unique local", False),
    ("fe80::1", "fe80::/10 link-local unicast", False),
    ("fec0::1", "fec0::/10 site-local (deprecated)", False),
    ("ff02::1", "ff00::/8 multicast", False),
    ("ff0e::1", "ff00::/8 multicast, global scope", False),
    ("2a00:1450:4013:c00::64", "an ordinary global address", True),
]


@pytest.mark.parametrize(("address", "block", "allowed"), IPV4_REGISTRY + IPV6_REGISTRY)
def test_every_special_purpose_block(address: str, block: str, allowed: bool) -> None:
    reason = refusal(address)
    assert (reason is None) is allowed, f"{address} ({block}): {reason}"
    if reason is not None:
        assert (
            str(ipaddress.ip_address(address)) in reason or "wrapped" in reason
        )  # the refusal names what it judged
