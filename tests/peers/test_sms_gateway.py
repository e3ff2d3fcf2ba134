"""The SMS gateway peer: auth, validation, idempotency, scripted failures, hangs."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.peers.fixtures import SMS_TOKEN
from tests.peers.sms_gateway import SmsGateway

AUTH = {"Authorization": f"Bearer {SMS_TOKEN}"}


def send(
    gw: SmsGateway, key: str | None = "k-1", text: str = "Hej", **kw: object
) -> httpx.Response:
    headers = {**AUTH, **({"Idempotency-Key": key} if key else {})}
    return httpx.post(
        gw.messages_url, json={"to": "+4512345678", "text": text}, headers=headers, **kw
    )  # type: ignore[arg-type]


def test_accepts_and_records_a_message(sms_gateway: SmsGateway) -> None:
    response = send(sms_gateway)
    assert response.status_code == 200
    assert response.json() == {"id": "msg-1", "status": "accepted"}
    [message] = sms_gateway.wait_for(1)
    assert message["to"] == "+4512345678" and message["text"] == "Hej"
    assert message["idempotency_key"] == "k-1"


def test_duplicates_are_answered_with_the_original_id_and_counted(sms_gateway: SmsGateway) -> None:
    first = send(sms_gateway, "same").json()
    again = send(sms_gateway, "same", text="changed").json()
    assert again == {"id": first["id"], "status": "accepted", "duplicate": True}
    assert len(sms_gateway.received) == 1
    assert len(sms_gateway.attempts) == 2
    assert sms_gateway.duplicates == 1


def test_rejects_bad_auth_missing_key_and_bad_body(sms_gateway: SmsGateway) -> None:
    assert (
        httpx.post(
            sms_gateway.messages_url,
            json={"to": "1", "text": "x"},
            headers={"Idempotency-Key": "a"},
        ).status_code
        == 401
    )
    assert send(sms_gateway, key=None).status_code == 400
    assert (
        httpx.post(
            sms_gateway.messages_url,
            json={"to": "", "text": "x"},
            headers={**AUTH, "Idempotency-Key": "b"},
        ).status_code
        == 400
    )
    assert httpx.get(f"{sms_gateway.url}/other").status_code == 404
    assert sms_gateway.received == []
    assert [a["status"] for a in sms_gateway.attempts] == [401, 400, 400]


@pytest.mark.parametrize("status", [400, 500])
def test_scripted_errors_do_not_record(sms_gateway: SmsGateway, status: int) -> None:
    sms_gateway.fail_next(status)
    assert send(sms_gateway).status_code == status
    assert send(sms_gateway).status_code == 200  # the retry with the same key succeeds
    assert len(sms_gateway.received) == 1


def test_rate_limit_with_retry_after(sms_gateway: SmsGateway) -> None:
    sms_gateway.fail_next(429, times=2, retry_after=7)
    statuses = [send(sms_gateway) for _ in range(3)]
    assert [r.status_code for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["Retry-After"] == "7"


def test_hang_makes_the_client_time_out_but_the_sms_still_goes_out(sms_gateway: SmsGateway) -> None:
    sms_gateway.hang_next(0.6)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        send(sms_gateway, timeout=0.2)
    assert time.monotonic() - started < 0.5
    sms_gateway.wait_for(1)  # delivered although the client gave up: why keys matter
    assert send(sms_gateway).json()["duplicate"] is True


def test_explicit_200_is_a_normal_answer(sms_gateway: SmsGateway) -> None:
    sms_gateway.respond_next(200)
    assert send(sms_gateway).status_code == 200
    sms_gateway.reset()
    assert sms_gateway.received == [] and sms_gateway.attempts == []


async def test_wait_for_async_lets_the_sender_run(sms_gateway: SmsGateway) -> None:
    async def app_sends_later() -> None:
        await asyncio.sleep(0.05)
        async with httpx.AsyncClient() as client:
            await client.post(
                sms_gateway.messages_url,
                json={"to": "+45", "text": "Hej"},
                headers={**AUTH, "Idempotency-Key": "async-1"},
            )

    task = asyncio.create_task(app_sends_later())
    [message] = await sms_gateway.wait_for_async(1)
    await task
    assert message["idempotency_key"] == "async-1"
