"""A local Web Push service on 127.0.0.1 that judges what the product sends.

It plays the push service (RFC 8030: VAPID per RFC 8292, headers) and the browser (RFC 8291:
decrypts aes128gcm). VAPID is checked with `cryptography` alone, sharing no code with the
sender it judges. Tests queue, per subscription, what it answers next.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAX_BODY_BYTES = 4096  # RFC 8030 §7.2: what every push service must accept; more is 413
MAX_VAPID_SECONDS = 24 * 60 * 60  # RFC 8292 §2: exp no more than 24 hours ahead
URGENCIES = frozenset({"very-low", "low", "normal", "high"})
TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")  # RFC 8030 §5.4
DIGITS = re.compile(r"[0-9]+")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Decode unpadded base64url strictly; anything else is a ValueError."""
    if "+" in text or "/" in text:
        raise ValueError("not base64url")
    padded = text.translate(str.maketrans("-_", "+/")) + "=" * (-len(text) % 4)
    return base64.b64decode(padded, validate=True)


@dataclass(frozen=True)
class TestSubscription:
    """What a browser's PushManager.subscribe() creates, private half included."""

    __test__ = False  # not a pytest test class

    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def info(self) -> dict[str, Any]:
        """The dict PushSubscription.toJSON() gives."""
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}
        return {"endpoint": self.endpoint, "keys": keys}


def make_subscription(base_url: str) -> TestSubscription:
    """A fresh P-256 key pair and 16-byte auth secret, with an endpoint on `base_url`."""
    subscription_id = secrets.token_urlsafe(16)
    return TestSubscription(
        id=subscription_id,
        endpoint=f"{base_url}/push/{subscription_id}",
        private_key=ec.generate_private_key(ec.SECP256R1()),
        auth_secret=secrets.token_bytes(16),
    )


@dataclass(frozen=True)
class Delivery:
    """A message the push service accepted (201) and the browser decrypted."""

    subscription_id: str
    payload_bytes: bytes
    payload_json: Any | None  # None when the payload is not JSON
    ttl: int
    urgency: str | None
    topic: str | None
    vapid_claims: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class Attempt:
    """A request that was not delivered; status None means it hung and was never answered."""

    subscription_id: str
    status: int | None
    reason: str
    received_at: datetime


@dataclass(frozen=True)
class Reply:
    """Answer with this status; 201 delivers, anything else (4xx/5xx) refuses."""

    status: int
    retry_after: str | None = None


@dataclass(frozen=True)
class Hang:
    """Answer nothing until the emulator stops or `seconds` pass, then 504."""

    seconds: float | None = None


Behaviour = int | Literal["hang"] | Reply | Hang


def as_reply(behaviour: Behaviour) -> Reply | Hang:
    if behaviour == "hang" or isinstance(behaviour, Hang):
        return Hang() if behaviour == "hang" else behaviour
    reply = behaviour if isinstance(behaviour, Reply) else Reply(behaviour)
    if reply.status != 201 and not 400 <= reply.status < 600:
        raise ValueError(f"status {reply.status} is neither 201 nor an error")
    if reply.status == 429 and reply.retry_after is None:
        return Reply(429, retry_after="60")
    return reply


class Refusal(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def vapid_credentials(headers: Mapping[str, str]) -> tuple[str, str]:
    """(JWT, public key) from `vapid t=,k=` or the older `WebPush` + `Crypto-Key: p256ecdsa=`."""
    scheme, _, rest = headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "vapid":
        params = dict(part.strip().partition("=")[::2] for part in rest.split(","))
        token, key = params.get("t", ""), params.get("k", "")
    elif scheme.lower() == "webpush":
        parts = re.split(r"[,;]", headers.get("Crypto-Key", ""))
        params = dict(part.strip().partition("=")[::2] for part in parts)
        token, key = rest.strip(), params.get("p256ecdsa", "")
    else:
        raise Refusal(401, "missing or unknown Authorization scheme")
    if not token or not key:
        raise Refusal(401, "VAPID token or public key missing")
    return token, key


def verify_jwt(token: str, key: str, *, audience: str, now: float) -> dict[str, Any]:
    """The claims of an ES256 JWT signed by the b64url P-256 point `key`, or Refusal(401)."""
    try:
        head_part, claims_part, signature_part = token.split(".")
        header = json.loads(unb64url(head_part))
        claims = json.loads(unb64url(claims_part))
        signature = unb64url(signature_part)
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    except ValueError as error:  # also binascii.Error and json.JSONDecodeError
        raise Refusal(401, f"malformed VAPID token: {error}") from None
    if not isinstance(header, dict) or header.get("alg") != "ES256" or len(signature) != 64:
        raise Refusal(401, "VAPID token is not an ES256 JWT")
    verify_es256(public_key, f"{head_part}.{claims_part}".encode("ascii"), signature)
    if not isinstance(claims, dict):
        raise Refusal(401, "VAPID claims are not an object")
    check_claims(claims, audience=audience, now=now)
    return claims


def verify_es256(public_key: ec.EllipticCurvePublicKey, signed: bytes, signature: bytes) -> None:
    """JWS carries r‖s (RFC 7518 §3.4); cryptography wants DER."""
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Refusal(401, "VAPID signature does not match k") from None


def check_claims(claims: dict[str, Any], *, audience: str, now: float) -> None:
    if claims.get("aud") != audience:
        raise Refusal(401, f"aud {claims.get('aud')!r} is not {audience!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= now:
        raise Refusal(401, f"exp {exp!r} is missing or past")
    if exp > now + MAX_VAPID_SECONDS:
        raise Refusal(401, f"exp {exp!r} is more than 24 h ahead")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        raise Refusal(401, f"sub {sub!r} is not a mailto: or https: URL")


def message_headers(headers: Mapping[str, str], body: bytes) -> tuple[int, str | None, str | None]:
    """(TTL, Urgency, Topic) after the checks a push service makes before storing."""
    if len(body) > MAX_BODY_BYTES:
        raise Refusal(413, f"body of {len(body)} bytes exceeds {MAX_BODY_BYTES}")
    if body and headers.get("Content-Encoding") != "aes128gcm":
        raise Refusal(415, f"Content-Encoding {headers.get('Content-Encoding')!r}")
    ttl = headers.get("TTL")
    if ttl is None or not DIGITS.fullmatch(ttl):
        raise Refusal(400, f"TTL {ttl!r} is missing or not a number")
    urgency, topic = headers.get("Urgency"), headers.get("Topic")
    if urgency is not None and urgency not in URGENCIES:
        raise Refusal(400, f"Urgency {urgency!r}")
    if topic is not None and not TOPIC.fullmatch(topic):
        raise Refusal(400, f"Topic {topic!r}")
    return int(ttl), urgency, topic


def decrypt(body: bytes, subscription: TestSubscription) -> bytes:
    """What the browser's service worker would see; a payless push is b''."""
    if not body:
        return b""
    try:
        plain: bytes = http_ece.decrypt(
            body,
            private_key=subscription.private_key,
            auth_secret=subscription.auth_secret,
            version="aes128gcm",
        )
    except Exception as error:  # http_ece raises ECEException, ValueError, struct.error …
        raise Refusal(400, f"cannot decrypt for this subscription: {error!r}") from None
    return plain


def as_json(payload: bytes) -> Any | None:
    with contextlib.suppress(ValueError):  # UnicodeDecodeError too
        return json.loads(payload)
    return None


class PushEmulator:
    """`async with PushEmulator() as push:` serves POST /push/{id} on 127.0.0.1, a free port."""

    def __init__(self, *, expected_vapid_key: str | None = None, latency: float = 0.0) -> None:
        self.expected_vapid_key = expected_vapid_key  # applicationServerKey, b64url
        self.latency = latency  # seconds before every answer, as a push service far away
        self.deliveries: list[Delivery] = []
        self.attempts: list[Attempt] = []
        self._subscriptions: dict[str, TestSubscription] = {}
        self._queues: dict[str, deque[Reply | Hang]] = {}
        self._changed = asyncio.Condition()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the emulator is not running")
        return self._base_url

    def subscribe(self) -> TestSubscription:
        """A new browser subscription whose endpoint is on this emulator."""
        return self.register(make_subscription(self.base_url))

    def register(self, subscription: TestSubscription) -> TestSubscription:
        self._subscriptions[subscription.id] = subscription
        return subscription

    def respond(self, subscription_id: str, *behaviours: Behaviour) -> None:
        """Queue answers for the next valid requests; once empty, answers are 201."""
        if subscription_id not in self._subscriptions:
            raise KeyError(subscription_id)
        replies = [as_reply(behaviour) for behaviour in behaviours]
        self._queues.setdefault(subscription_id, deque()).extend(replies)

    def deliveries_for(self, subscription_id: str) -> list[Delivery]:
        return [d for d in self.deliveries if d.subscription_id == subscription_id]

    def attempts_for(self, subscription_id: str) -> list[Attempt]:
        return [a for a in self.attempts if a.subscription_id == subscription_id]

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Return once `condition()` holds; callers bound it with `asyncio.timeout`."""
        async with self._changed:
            await self._changed.wait_for(condition)

    async def __aenter__(self) -> PushEmulator:
        self._stopping.clear()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        app = web.Application()
        app.router.add_post("/push/{id}", self._receive)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        self._base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._stopping.set()  # wakes hung requests so shutdown does not wait on them
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = self._base_url = None

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        subscription_id = request.match_info["id"]
        try:
            delivery = await self._judge(request, subscription_id)
        except Refusal as refusal:
            await self._record(Attempt(subscription_id, refusal.status, refusal.reason, _now()))
            return web.Response(status=refusal.status, text=refusal.reason)
        queue = self._queues.get(subscription_id)
        return await self._answer(queue.popleft() if queue else Reply(201), delivery)

    async def _answer(self, reply: Reply | Hang, delivery: Delivery) -> web.Response:
        subscription_id = delivery.subscription_id
        if self.latency:
            await asyncio.sleep(self.latency)
        if isinstance(reply, Hang):
            await self._record(Attempt(subscription_id, None, "hang", _now()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), reply.seconds)
            return web.Response(status=504, text="hung")
        if reply.status != 201:
            await self._record(Attempt(subscription_id, reply.status, "as told", _now()))
            headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
            return web.Response(status=reply.status, headers=headers)
        await self._record(delivery)
        location = f"{self.base_url}/message/{secrets.token_urlsafe(16)}"
        return web.Response(status=201, headers={"Location": location})

    async def _judge(self, request: web.Request, subscription_id: str) -> Delivery:
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None:
            raise Refusal(404, "no such subscription")
        token, key = vapid_credentials(request.headers)
        claims = verify_jwt(token, key, audience=self.base_url, now=time.time())
        expected = self.expected_vapid_key
        if expected is not None and unb64url(key) != unb64url(expected):
            raise Refusal(403, "k is not the application server key")
        body = await request.read()
        ttl, urgency, topic = message_headers(request.headers, body)
        payload = decrypt(body, subscription)
        return Delivery(
            subscription_id, payload, as_json(payload), ttl, urgency, topic, claims, _now()
        )

    async def _record(self, entry: Delivery | Attempt) -> None:
        if isinstance(entry, Delivery):
            self.deliveries.append(entry)
        else:
            self.attempts.append(entry)
        async with self._changed:
            self._changed.notify_all()


def _now() -> datetime:
    return datetime.now(UTC)
