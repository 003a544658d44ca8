"""简体中文 first, English on demand: the phone's first load carries Chinese only, the English
strings come when English is chosen, and the choice holds across a reload."""

from __future__ import annotations

from playwright.async_api import Page, Request, expect


async def test_english_is_fetched_when_chosen_and_kept_across_a_reload(phone: Page) -> None:
    english_asked: list[str] = []

    def note(request: Request) -> None:
        if "/assets/en-" in request.url:
            english_asked.append(request.url)

    phone.on("request", note)
    await phone.goto("/")
    title = phone.locator("header h1")
    await expect(title).to_have_text("随手拍")
    await expect(phone.get_by_test_id("new-report")).to_have_text("我要上报")
    assert english_asked == []

    await phone.get_by_test_id("lang-switch").click()
    await expect(title).to_have_text("Snap & Report")
    await expect(phone.get_by_test_id("new-report")).to_have_text("Report")
    await expect(phone.locator("html")).to_have_attribute("lang", "en")
    assert len(english_asked) == 1

    await phone.reload()
    await expect(title).to_have_text("Snap & Report")
    await expect(phone.get_by_test_id("my-reports")).to_have_text("My reports")

    await phone.get_by_test_id("lang-switch").click()
    await expect(title).to_have_text("随手拍")
    await expect(phone.get_by_test_id("my-reports")).to_have_text("我的上报")
