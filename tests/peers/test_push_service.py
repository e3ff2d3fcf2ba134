"""The Web Push peer: real pywebpush + py_vapid sends, decrypted and checked on arrival."""

from __future__ import annotations

import json
import time

import pytest
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from tests.peers.push_service import PushService

CLAIMS = {"sub": "mailto:drift@trinvis.test"}


@pytest.fixture(scope="module")
def vapid() -> Vapid:
    key = Vapid()
    key.generate_keys()
    return key


def push(sub: dict, data: str, vapid: Vapid, **kw: object):  # type: ignore[no-untyped-def]
    return webpush(sub, data, vapid_private_key=vapid, vapid_claims=dict(CLAIMS), **kw)


def test_payload_arrives_decrypted_with_vapid_claims(
    push_service: PushService, vapid: Vapid
) -> None:
    sub = push_service.new_subscription()
    assert sub["endpoint"].startswith(f"{push_service.url}/push/")
    assert set(sub["keys"]) == {"p256dh", "auth"}
    payload = {"title": "Tjek-ind", "body": "Hvordan går det? ✓"}
    response = push(
        sub, json.dumps(payload), vapid, ttl=3600, headers={"Urgency": "high", "Topic": "checkin"}
    )
    assert response.status_code == 201
    [message] = push_service.wait_for(1)
    assert message["json"] == payload
    assert (message["ttl"], message["urgency"], message["topic"]) == (3600, "high", "checkin")
    assert message["vapid_claims"]["aud"] == push_service.url
    assert message["vapid_claims"]["sub"] == CLAIMS["sub"]
    assert message["vapid_claims"]["exp"] > time.time()
    assert push_service.messages_for(sub) == [message]


def test_messages_are_kept_per_subscription(push_service: PushService, vapid: Vapid) -> None:
    first, second = push_service.new_subscription(), push_service.new_subscription()
    push(first, "one", vapid)
    push(second, "two", vapid)
    assert [m["text"] for m in push_service.messages_for(second)] == ["two"]
    assert [m["text"] for m in push_service.messages_for(first)] == ["one"]


@pytest.mark.parametrize("status", [404, 410, 500])
def test_scripted_failures(push_service: PushService, vapid: Vapid, status: int) -> None:
    sub = push_service.new_subscription()
    push_service.respond(sub, status)
    for _ in range(2):  # sticky until changed
        with pytest.raises(WebPushException) as caught:
            push(sub, "x", vapid)
        assert caught.value.response.status_code == status
    push_service.respond(sub, 201)
    assert push(sub, "x", vapid).status_code == 201
    assert [a["status"] for a in push_service.attempts] == [status, status, 201]


def test_rate_limit_once_with_retry_after(push_service: PushService, vapid: Vapid) -> None:
    sub = push_service.new_subscription()
    push_service.respond(sub, 429, times=1, retry_after=30)
    with pytest.raises(WebPushException) as caught:
        push(sub, "x", vapid)
    assert caught.value.response.headers["Retry-After"] == "30"
    assert push(sub, "x", vapid).status_code == 201


def test_vapid_is_enforced(push_service: PushService, vapid: Vapid) -> None:
    sub = push_service.new_subscription()
    with pytest.raises(WebPushException) as caught:  # no VAPID at all
        webpush(sub, "x")
    assert caught.value.response.status_code == 401
    wrong_aud = {**CLAIMS, "aud": "http://127.0.0.1:1"}
    with pytest.raises(WebPushException) as caught:
        webpush(sub, "x", vapid_private_key=vapid, vapid_claims=wrong_aud)
    assert caught.value.response.status_code == 401
    assert "aud" in push_service.attempts[-1]["error"]
    assert push_service.received == []


def test_unknown_subscription_and_undecryptable_body(
    push_service: PushService, vapid: Vapid
) -> None:
    real = push_service.new_subscription()
    other = PushService.subscription_id(push_service.new_subscription())
    forged = {"endpoint": f"{push_service.url}/push/nope", "keys": real["keys"]}
    with pytest.raises(WebPushException) as caught:
        push(forged, "x", vapid)
    assert caught.value.response.status_code == 404
    # Encrypted for `real`'s keys but posted to another subscription: cannot decrypt.
    misdirected = {"endpoint": f"{push_service.url}/push/{other}", "keys": real["keys"]}
    with pytest.raises(WebPushException) as caught:
        push(misdirected, "x", vapid)
    assert caught.value.response.status_code == 400
