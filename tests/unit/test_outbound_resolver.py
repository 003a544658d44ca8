"""The guarded resolver: checks every answer and connects to exactly what it checked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from backend.outbound.resolver import GuardedResolver, RefusedAddress, guarded_session, refusal


class RebindingDns:
    """Answers the first question with one address and every later one with another."""

    def __init__(self, first: str, then: str) -> None:
        self.answers = [first, then]
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return [self.answers[min(len(self.asked), 2) - 1]]


@pytest.fixture
async def server() -> AsyncIterator[int]:
    async def hello(_: web.Request) -> web.Response:
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield port
    await runner.cleanup()


async def test_an_answer_that_turns_private_is_refused_on_the_next_question() -> None:
    dns = RebindingDns("93.184.216.34", "127.0.0.1")
    resolver = GuardedResolver(lookup=dns)
    [pinned] = await resolver.resolve("rebind.test", 443)
    assert pinned["host"] == "93.184.216.34"
    assert pinned["hostname"] == "rebind.test"  # TLS still names the host
    with pytest.raises(RefusedAddress):
        await resolver.resolve("rebind.test", 443)


async def test_only_public_answers_are_kept() -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return ["10.0.0.5", "93.184.216.34", "::ffff:127.0.0.1", "2606:4700::1"]

    found = await GuardedResolver(lookup=mixed).resolve("mixed.test", 443)
    assert [r["host"] for r in found] == ["93.184.216.34", "2606:4700::1"]


async def test_the_connection_goes_to_the_checked_address_without_asking_again(
    server: int,
) -> None:
    # Loopback is allowed here only so that the checked address can answer in a test.
    dns = RebindingDns("127.0.0.1", "10.0.0.1")
    async with (
        guarded_session(allow_loopback=True, lookup=dns) as session,
        session.get(f"http://rebind.test:{server}/") as response,
    ):
        assert await response.text() == "hello"
    assert dns.asked == ["rebind.test"]
    async with guarded_session(allow_loopback=True, lookup=dns) as session:
        with pytest.raises(aiohttp.ClientConnectorError) as caught:
            await session.get(f"http://rebind.test:{server}/")
    assert refusal(caught.value) is not None


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "0x7f.1", "2130706433", "[::1]", "[::ffff:127.0.0.1]", "localhost"]
)
async def test_a_guarded_session_never_connects_to_loopback(host: str) -> None:
    connected = asyncio.Event()

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connected.set()
        writer.close()

    listener = await asyncio.start_server(record, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        async with guarded_session() as session:
            with pytest.raises(aiohttp.ClientConnectorError) as caught:
                await session.get(f"http://{host}:{port}/")
        assert refusal(caught.value) is not None
    finally:
        listener.close()
        await listener.wait_closed()
    assert not connected.is_set()
