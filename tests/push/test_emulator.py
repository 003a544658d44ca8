"""The push emulator is a faithful judge of pywebpush's async path, the one the product uses."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid01, Vapid02
from py_vapid.jwt import sign
from pywebpush import WebPusher, WebPushException, webpush_async

from tests.push.emulator import (
    Hang,
    PushEmulator,
    Reply,
    TestSubscription,
    b64url,
    make_subscription,
)

SUB = "mailto:ops@gridreport.example"
PROMPTLY = 5.0  # seconds; a bound for "does not stall", never a measured duration


def new_vapid(cls: type[Vapid01] = Vapid02) -> Vapid01:
    vapid = cls()
    vapid.generate_keys()
    return vapid


def raw_private_key(vapid: Vapid01) -> str:
    """The form settings hold: the 32-byte private scalar, base64url (as `vapid --gen` gives)."""
    return b64url(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))


def public_key(vapid: Vapid01) -> str:
    """The applicationServerKey the PWA subscribes with."""
    point = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


@pytest.fixture
async def emulator() -> AsyncIterator[PushEmulator]:
    async with PushEmulator() as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture(scope="module")
def vapid() -> Vapid01:
    return new_vapid()


async def push(
    session: aiohttp.ClientSession,
    info: dict[str, Any],
    data: str | bytes,
    vapid: Vapid01 | str,
    **kwargs: Any,
) -> aiohttp.ClientResponse:
    """Send as the product will: webpush_async with a shared session and fresh claims."""
    key = raw_private_key(vapid) if isinstance(vapid, Vapid01) else vapid
    claims: dict[str, str | int] = {"sub": SUB, **kwargs.pop("claims", {})}
    response = await webpush_async(
        info,
        data,  # bytes pass through to the encoder untouched
        vapid_private_key=key,
        vapid_claims=claims,
        aiohttp_session=session,
        **kwargs,
    )
    assert isinstance(response, aiohttp.ClientResponse)
    return response


async def send_signed(
    session: aiohttp.ClientSession, subscription: TestSubscription, headers: dict[str, str]
) -> aiohttp.ClientResponse:
    """The async path with VAPID headers made by hand, for claims pywebpush would mend."""
    response = await WebPusher(subscription.info, aiohttp_session=session).send_async(
        b'{"n": 1}', headers, ttl=60
    )
    assert isinstance(response, aiohttp.ClientResponse)
    return response


async def test_json_payload_is_decrypted_byte_exact_with_its_headers(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    subscription = emulator.subscribe()
    payload = json.dumps({"caseId": 42, "title": "井盖缺失 已签收"}, ensure_ascii=False)

    response = await push(
        session,
        subscription.info,
        payload,
        vapid,
        ttl=3600,
        headers={"Urgency": "high", "Topic": "case-42"},
    )

    assert response.status == 201
    assert response.headers["Location"].startswith(f"{emulator.base_url}/message/")
    [delivery] = emulator.deliveries_for(subscription.id)
    assert delivery.payload_bytes == payload.encode()
    assert delivery.payload_json == {"caseId": 42, "title": "井盖缺失 已签收"}
    assert (delivery.ttl, delivery.urgency, delivery.topic) == (3600, "high", "case-42")
    assert delivery.vapid_claims["sub"] == SUB
    assert delivery.vapid_claims["aud"] == emulator.base_url
    assert emulator.attempts == []


async def test_binary_payload_of_the_largest_size_is_delivered_byte_exact(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    subscription = emulator.subscribe()
    # 4096-byte body = 86-byte aes128gcm header + 3993 bytes + delimiter + 16-byte tag
    payload = (bytes(range(256)) * 16)[:3993]

    await push(session, subscription.info, payload, vapid)

    [delivery] = emulator.deliveries_for(subscription.id)
    assert delivery.payload_bytes == payload
    assert delivery.payload_json is None
    assert (delivery.ttl, delivery.urgency, delivery.topic) == (0, None, None)


async def test_payload_over_4096_bytes_on_the_wire_is_refused(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    subscription = emulator.subscribe()
    with pytest.raises(WebPushException) as refused:
        await push(session, subscription.info, b"x" * 3994, vapid)
    assert refused.value.status_code == 413
    assert emulator.deliveries == []


async def test_older_webpush_authorization_with_crypto_key_is_accepted(
    emulator: PushEmulator, session: aiohttp.ClientSession
) -> None:
    legacy = new_vapid(Vapid01)
    subscription = emulator.subscribe()
    response = await webpush_async(
        subscription.info,
        "hello",
        vapid_private_key=legacy,
        vapid_claims={"sub": SUB},
        aiohttp_session=session,
    )
    assert isinstance(response, aiohttp.ClientResponse)
    assert response.status == 201
    assert emulator.deliveries_for(subscription.id)[0].payload_bytes == b"hello"


async def test_expected_application_server_key_is_accepted_and_others_forbidden(
    session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    async with PushEmulator(expected_vapid_key=public_key(vapid)) as emulator:
        subscription = emulator.subscribe()
        await push(session, subscription.info, "ours", vapid)
        with pytest.raises(WebPushException) as refused:
            await push(session, subscription.info, "theirs", new_vapid())
        assert refused.value.status_code == 403
        assert [d.payload_bytes for d in emulator.deliveries] == [b"ours"]


def signed_headers(vapid: Vapid01, claims: dict[str, Any], *, k_of: Vapid01) -> dict[str, str]:
    """`vapid t=,k=` with the JWT signed by `vapid` and k naming `k_of`'s public key."""
    return {"Authorization": f"vapid t={sign(claims, vapid.private_key)},k={public_key(k_of)}"}


@pytest.mark.parametrize(
    ("fault", "claims"),
    [
        ("signature", {}),  # signed by another key than the k it names
        ("past", {"exp": -60}),
        ("24 h", {"exp": 25 * 3600}),
        ("aud", {"aud": "http://127.0.0.1:1"}),
        ("sub", {"sub": "ops@gridreport.example"}),
    ],
)
async def test_invalid_vapid_is_refused_and_nothing_delivered(
    emulator: PushEmulator,
    session: aiohttp.ClientSession,
    vapid: Vapid01,
    fault: str,
    claims: dict[str, Any],
) -> None:
    subscription = emulator.subscribe()
    full = {"sub": SUB, "aud": emulator.base_url, **claims}
    full["exp"] = int(time.time()) + claims.get("exp", 3600)
    signer = new_vapid() if fault == "signature" else vapid

    response = await send_signed(session, subscription, signed_headers(signer, full, k_of=vapid))

    assert response.status == 401
    assert emulator.deliveries == []
    [attempt] = emulator.attempts_for(subscription.id)
    assert (attempt.status, fault in attempt.reason) == (401, True), attempt.reason


async def test_the_same_hand_signed_headers_are_accepted_when_valid(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    """The refusals above are for their one fault, not for the hand-signed route."""
    subscription = emulator.subscribe()
    claims = {"sub": SUB, "aud": emulator.base_url, "exp": int(time.time()) + 3600}
    response = await send_signed(session, subscription, signed_headers(vapid, claims, k_of=vapid))
    assert response.status == 201
    assert emulator.deliveries_for(subscription.id)[0].payload_json == {"n": 1}


async def test_missing_authorization_is_refused(
    emulator: PushEmulator, session: aiohttp.ClientSession
) -> None:
    subscription = emulator.subscribe()
    with pytest.raises(WebPushException) as refused:
        await webpush_async(subscription.info, "no vapid", ttl=60, aiohttp_session=session)
    assert refused.value.status_code == 401
    assert emulator.deliveries == []


async def test_body_encrypted_for_another_subscription_is_refused(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    target, other = emulator.subscribe(), emulator.subscribe()
    crossed = {"endpoint": target.endpoint, "keys": other.info["keys"]}
    with pytest.raises(WebPushException) as refused:
        await push(session, crossed, "for someone else", vapid)
    assert refused.value.status_code == 400
    assert emulator.deliveries == []


async def test_legacy_aesgcm_encoding_is_refused(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    subscription = emulator.subscribe()
    with pytest.raises(WebPushException) as refused:
        await push(session, subscription.info, "old", vapid, content_encoding="aesgcm")
    assert refused.value.status_code == 415
    assert emulator.deliveries == []


async def test_missing_ttl_is_refused(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    """pywebpush always sends TTL, so this request is built by hand from its parts."""
    subscription = emulator.subscribe()
    claims = {"sub": SUB, "aud": emulator.base_url, "exp": int(time.time()) + 3600}
    body = WebPusher(subscription.info).encode(b"no ttl")["body"]
    headers = {**vapid.sign(claims), "Content-Encoding": "aes128gcm"}
    async with session.post(subscription.endpoint, data=body, headers=headers) as response:
        assert response.status == 400
    assert emulator.deliveries == []


async def test_unknown_subscription_is_not_found(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    stranger = make_subscription(emulator.base_url)  # never registered with the emulator
    with pytest.raises(WebPushException) as refused:
        await push(session, stranger.info, "anyone?", vapid)
    assert refused.value.status_code == 404


async def test_queued_behaviours_are_answered_in_order_then_201(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    subscription = emulator.subscribe()
    emulator.respond(subscription.id, 500, 201, 429)
    statuses = []
    for n in range(4):
        try:
            statuses.append((await push(session, subscription.info, f"try {n}", vapid)).status)
        except WebPushException as failed:
            statuses.append(failed.status_code)

    assert statuses == [500, 201, 429, 201]
    assert [a.status for a in emulator.attempts] == [500, 429]
    assert [d.payload_bytes for d in emulator.deliveries] == [b"try 1", b"try 3"]


@pytest.mark.parametrize(
    ("behaviour", "status", "retry_after"),
    [(404, 404, None), (410, 410, None), (429, 429, "60"), (Reply(429, "120"), 429, "120")],
)
async def test_error_answers_are_returned_as_told(
    emulator: PushEmulator,
    session: aiohttp.ClientSession,
    vapid: Vapid01,
    behaviour: int | Reply,
    status: int,
    retry_after: str | None,
) -> None:
    subscription = emulator.subscribe()
    emulator.respond(subscription.id, behaviour)
    with pytest.raises(WebPushException) as failed:
        await push(session, subscription.info, "x", vapid)
    assert (failed.value.status_code, failed.value.retry_after) == (status, retry_after)
    assert emulator.deliveries == []
    assert [a.status for a in emulator.attempts] == [status]


async def test_a_hanging_request_does_not_stall_other_subscriptions(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    stuck, other = emulator.subscribe(), emulator.subscribe()
    emulator.respond(stuck.id, "hang")
    hanging = asyncio.create_task(push(session, stuck.info, "stuck", vapid))
    try:
        async with asyncio.timeout(PROMPTLY):
            await emulator.wait_until(lambda: bool(emulator.attempts_for(stuck.id)))
        response = await asyncio.wait_for(push(session, other.info, "free", vapid), PROMPTLY)
        assert response.status == 201
        assert not hanging.done()
    finally:
        hanging.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await hanging
    assert [d.payload_bytes for d in emulator.deliveries] == [b"free"]
    assert [a.status for a in emulator.attempts] == [None]


async def test_a_hang_ends_when_the_emulator_stops(
    session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    async with PushEmulator() as emulator:
        subscription = emulator.subscribe()
        emulator.respond(subscription.id, "hang")
        hanging = asyncio.create_task(push(session, subscription.info, "stuck", vapid))
        async with asyncio.timeout(PROMPTLY):
            await emulator.wait_until(lambda: bool(emulator.attempts))
    with pytest.raises(WebPushException) as unanswered:
        await asyncio.wait_for(hanging, PROMPTLY)
    assert unanswered.value.status_code == 504
    assert emulator.deliveries == []


async def test_a_bounded_hang_answers_504_and_delivers_nothing(
    emulator: PushEmulator, session: aiohttp.ClientSession, vapid: Vapid01
) -> None:
    subscription = emulator.subscribe()
    emulator.respond(subscription.id, Hang(seconds=0.2))
    with pytest.raises(WebPushException) as unanswered:
        await asyncio.wait_for(push(session, subscription.info, "late", vapid), PROMPTLY)
    assert unanswered.value.status_code == 504
    assert emulator.deliveries == []
