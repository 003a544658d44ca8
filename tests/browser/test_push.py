"""A push message reaches the service worker, shows once, and opens the right page."""

from __future__ import annotations

import asyncio
import json

from playwright.async_api import BrowserContext, CDPSession, Page, expect

SHOWN = """async () => {
    const registration = await navigator.serviceWorker.ready;
    const shown = await registration.getNotifications();
    return shown.map(n => ({tag: n.tag, title: n.title, url: n.data && n.data.url}));
}"""


async def test_a_push_shows_one_notification_that_opens_the_report(
    phone: Page, phone_context: BrowserContext, api: str
) -> None:
    await phone_context.grant_permissions(["notifications"], origin=api)
    await phone.goto("/")
    await expect(phone.get_by_test_id("category-sanitation")).to_be_visible(timeout=15_000)
    await phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = await phone_context.new_cdp_session(phone)
    registrations: asyncio.Queue[str] = asyncio.Queue()
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: [
            registrations.put_nowait(r["registrationId"])
            for r in event["registrations"]
            if not r.get("isDeleted")
        ],
    )
    await cdp.send("ServiceWorker.enable")
    async with asyncio.timeout(10):
        registration = await registrations.get()
    message = {
        "title": "已受理",
        "body": "您的上报 20261123-000001 已派遣处理",
        "tag": "n41",
        "url": "/reports/41",
        "kind": "dispatched",
    }
    for _ in range(2):  # delivered twice (at least once): shown once, by its tag
        await cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": api, "registrationId": registration, "data": json.dumps(message)},
        )
    # wait_for_function would need eval, which the page's CSP rightly forbids: poll instead.
    async with asyncio.timeout(10):
        while not (shown := await phone.evaluate(SHOWN)):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    assert shown == [{"tag": "n41", "title": "已受理", "url": "/reports/41"}]
    [worker] = phone_context.service_workers
    await worker.evaluate(
        """async () => {
            const [notification] = await self.registration.getNotifications();
            self.dispatchEvent(new NotificationEvent('notificationclick', {notification}));
        }"""
    )
    # The open window of the app is taken to the report (a new one opens only if none is).
    await expect(phone).to_have_url(f"{api}/reports/41", timeout=10_000)


async def push_registration(phone: Page, phone_context: BrowserContext) -> tuple[CDPSession, str]:
    """A CDP session and the service worker registration pushes are delivered to."""
    await phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = await phone_context.new_cdp_session(phone)
    registrations: asyncio.Queue[str] = asyncio.Queue()
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: [
            registrations.put_nowait(r["registrationId"])
            for r in event["registrations"]
            if not r.get("isDeleted")
        ],
    )
    await cdp.send("ServiceWorker.enable")
    async with asyncio.timeout(10):
        return cdp, await registrations.get()


async def test_an_older_push_of_a_case_does_not_replace_a_newer_one(
    phone: Page, phone_context: BrowserContext, api: str
) -> None:
    await phone_context.grant_permissions(["notifications"], origin=api)
    await phone.goto("/")
    await expect(phone.get_by_test_id("category-sanitation")).to_be_visible(timeout=15_000)
    cdp, registration = await push_registration(phone, phone_context)

    def about(case_id: int, seq: int, title: str) -> dict[str, object]:
        return {
            "title": title,
            "body": "您的上报 20261123-000001",
            "tag": f"n{seq}",
            "url": f"/reports/{case_id}",
            "kind": "accepted",
            "case": case_id,
            "seq": seq,
        }

    # 已签收 overtook 已受理 on the way; a push about another case comes last.
    for message in [about(41, 12, "已签收"), about(41, 11, "已受理"), about(42, 13, "已受理")]:
        await cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": api, "registrationId": registration, "data": json.dumps(message)},
        )
    async with asyncio.timeout(10):
        while len(shown := await phone.evaluate(SHOWN)) < 2:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    assert sorted((n["url"], n["title"]) for n in shown) == [
        ("/reports/41", "已签收"),
        ("/reports/42", "已受理"),
    ]
