"""The owner pages in a real browser (Debian's Chromium under Playwright), on a live
`ownerhub serve` whose APP_URL is itself and whose own outbox sender writes the
emails to its MAIL_DIR: the owner opens the link from the written email, accepts,
manages the profile, signs out, resets the password from the emailed link and signs
in again; on a desktop and on a 360-px phone. The refusals a person meets (expired
link, used link, weak password, taken username) each show their words on screen.

Every page is checked with axe-core, nothing is fetched from another host, the
console stays free of errors (a CSP refusal would show there), and the session
token is in an HttpOnly cookie, never in the address, `document.cookie` or storage.
Screenshots of each page go to var/screenshots/ for a person to look at."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from hardening_support import free_port, start_live_server, stop_live_server
from owner_pages_support import (
    CHROMIUM_ARGS,
    LiveBuilder,
    axe_source,
    chromium_or_fail,
    emailed_link,
    mail_files,
    photo_png,
    screenshot_path,
)

FIRST_PASSWORD = "a porch swing in the rain"
SECOND_PASSWORD = "wind chimes over the deck"
NEW_PASSWORD = "blue shutters and a red door"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

ACCEPT_INVITE = """
mutation($input: AcceptInviteInput!) { acceptInvite(input: $input) { token userErrors { code message } } }
"""


@pytest.fixture(scope="module")
def pages_server(settings, tmp_path_factory):
    """A server whose APP_URL is its own address, so the emailed links open it."""
    tmp = tmp_path_factory.mktemp("owner-pages")
    port = free_port()
    server = start_live_server(
        settings, tmp, port=port, APP_URL=f"http://127.0.0.1:{port}", OUTBOX_WORKER="internal"
    )
    server.mail_dir = tmp / "mail"
    yield server
    stop_live_server(server)


@pytest.fixture(scope="module")
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium_or_fail(), args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


class Visit:
    """A browser context at one window size, recording what must not happen:
    requests to another host, console errors (CSP refusals among them), script errors."""

    def __init__(self, context, page, viewport):
        self.context = context
        self.page = page
        self.phone = viewport["width"] <= 400
        self.problems: list[str] = []
        page.on("console", lambda message: self.problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("request", self._request)

    def _request(self, request) -> None:
        if not request.url.startswith("data:") and urlsplit(request.url).hostname != "127.0.0.1":
            self.problems.append(f"request to another host: {request.url}")

    async def shot(self, name: str) -> None:
        suffix = "-360" if self.phone else ""
        await self.page.screenshot(path=screenshot_path(f"{name}{suffix}"), full_page=True)

    async def check(self, name: str) -> None:
        """axe-core finds nothing; on a phone, nothing is wider than the screen."""
        await self.page.evaluate(axe_source())
        violations = await self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' '))}))"""
        )
        assert violations == [], f"{name}: {violations}"
        if self.phone:
            width = await self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], f"{name} is wider than the phone: {width}"
        await self.shot(name)

    async def session_cookie(self) -> dict | None:
        cookies = [c for c in await self.context.cookies() if c["name"] == "ownerhub_session"]
        return cookies[0] if cookies else None

    async def close(self) -> None:
        await self.context.close()


async def visit(browser, viewport) -> Visit:
    from playwright.async_api import expect

    # Generous waits: on a busy two-core machine one Argon2 hash and a page load can
    # take seconds. They bound waiting, not speed: a page that works passes at once.
    expect.set_options(timeout=20_000)
    context = await browser.new_context(viewport=viewport)
    context.set_default_timeout(30_000)
    return Visit(context, await context.new_page(), viewport)


async def accept_by_api(server, link: str, name: str) -> str:
    """Accepts the invite of `link` as an app would; returns the chosen username."""
    username = f"{name}-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        token = urlsplit(link).query.removeprefix("token=")
        accepted = (await http.post("/graphql", json={"query": ACCEPT_INVITE, "variables": {
            "input": {"token": token, "username": username, "password": FIRST_PASSWORD}}})).json()
    assert accepted["data"]["acceptInvite"]["userErrors"] == []
    return username


async def sign_in(visit: Visit, server, username: str, password: str) -> None:
    page = visit.page
    await page.goto(f"{server.url}/sign-in")
    await page.get_by_label("Username", exact=True).fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(f"{server.url}/me")


async def sign_out(visit: Visit, server) -> None:
    from playwright.async_api import expect

    await visit.page.get_by_role("button", name="Sign out").click()
    await visit.page.wait_for_url(f"{server.url}/sign-in?signed-out")
    await expect(visit.page.get_by_text("You are signed out.")).to_be_visible()
    assert await visit.session_cookie() is None


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone-360"])
async def test_an_invited_owner_finishes_everything_in_the_browser(pages_server, browser, builder, viewport, tmp_path):
    from playwright.async_api import expect

    server = pages_server
    live = LiveBuilder(server.url, builder.token)
    contact_id, address = await live.invite("Dana", "Reyes")
    sams_email = f"sam-{uuid.uuid4().hex[:8]}@example.com"
    co_owner = await live.contact("Sam", "Okafor", sams_email)
    await live.job_with_owners("Maple Street remodel", contact_id, co_owner)
    invite_link = await emailed_link(server.mail_dir, address, "accept-invite")
    assert invite_link.startswith(f"{server.url}/accept-invite?token=")

    v = await visit(browser, viewport)
    page = v.page
    try:
        # The link from the email: greeted by first name, with the builder's name.
        await page.goto(invite_link)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Dana")
        await expect(page.locator("#greeting")).to_contain_text("Acme Homes invited you to OwnerHub")
        await expect(page.locator("#password-hint")).to_contain_text("10 to 128 characters")
        await v.check("accept-invite")

        username = f"dana-{uuid.uuid4().hex[:6]}"
        await page.get_by_label("Username", exact=True).fill(username)
        await page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
        await page.get_by_role("button", name="Create my account").click()

        # Signed in, on the profile; the token is in an HttpOnly cookie and nowhere else.
        await page.wait_for_url(f"{server.url}/me")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Dana Reyes")
        cookie = await v.session_cookie()
        assert cookie and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert await page.evaluate("() => document.cookie") == ""
        assert await page.evaluate("() => localStorage.length + sessionStorage.length") == 0
        assert cookie["value"] not in page.url
        await expect(page.locator("#jobs")).to_contain_text("Maple Street remodel")
        await expect(page.locator("#jobs")).to_contain_text("Co-owners: Sam Okafor")
        await expect(page.get_by_label("Primary email", exact=True)).to_have_value(address)

        # A picture: previewed before it is sent, then shown from the server.
        await page.get_by_label("Choose a picture", exact=True).set_input_files(str(photo_png(tmp_path / "me.png")))
        picture = page.locator("#picture")
        await expect(picture).to_have_attribute("src", re.compile(r"^data:image/png"))
        await expect(picture).to_have_attribute("alt", "Preview of your new picture")
        await v.shot("me-picture-preview")
        await page.get_by_role("button", name="Upload picture").click()
        await expect(page.locator("#picture-status")).to_have_text("Picture saved.")
        await expect(picture).to_have_attribute("src", re.compile(rf"^{re.escape(server.url)}/media/"))
        await page.wait_for_function(
            "() => { const i = document.getElementById('picture'); return i.complete && i.naturalWidth === 256; }"
        )
        assert (await live.read_contact(contact_id))["profileImage"] is not None

        # The phone number, changed by the owner and seen by the builder.
        await page.get_by_label("Phone", exact=True).fill("(555) 010-0199")
        await page.get_by_role("button", name="Save contact information").click()
        await expect(page.locator("#info-status")).to_have_text("Saved.")
        assert (await live.read_contact(contact_id))["phone"] == "(555) 010-0199"

        # Another contact's primary email: the API's refusal, under the field.
        primary = page.get_by_label("Primary email", exact=True)
        await primary.fill(sams_email)
        await page.get_by_role("button", name="Save contact information").click()
        await expect(page.locator("#primaryEmail-error")).to_have_text(
            "This email can't be used as your primary email. Please contact your builder for help."
        )
        await expect(primary).to_be_focused()
        await v.shot("me-email-in-use")
        await primary.fill(address)

        # An additional email: a typo is refused under its row, then saved.
        await page.get_by_role("button", name="Add an email").click()
        extra = page.get_by_label("Additional email 1", exact=True)
        await expect(extra).to_be_focused()
        await extra.fill("dana.work@example")
        await page.get_by_role("button", name="Save additional emails").click()
        await expect(page.locator("#email-0-error")).to_contain_text("is not a valid email address")
        await extra.fill("dana.work@example.com")
        await page.get_by_role("button", name="Save additional emails").click()
        await expect(page.locator("#emails-status")).to_have_text("Saved.")
        await expect(page.locator("#email-0-error")).to_be_hidden()
        assert (await live.read_contact(contact_id))["additionalEmails"] == ["dana.work@example.com"]

        # Text messages, once a cell phone is there.
        await page.get_by_label("Cell phone", exact=True).fill("555-010-0200")
        await page.get_by_role("button", name="Save contact information").click()
        await expect(page.locator("#info-status")).to_have_text("Saved.")
        await page.get_by_label("Text me about my jobs on my cell phone", exact=True).check()
        await page.get_by_role("button", name="Save text message choice").click()
        await expect(page.locator("#sms-status")).to_have_text("Saved: you get texts.")
        assert (await live.read_contact(contact_id))["smsOptIn"] is True

        # Change password: a wrong current password is refused under its field.
        await page.get_by_label("Current password", exact=True).fill("not my password at all")
        await page.get_by_label("New password", exact=True).fill(SECOND_PASSWORD)
        await page.get_by_role("button", name="Change password").click()
        await expect(page.locator("#currentPassword-error")).not_to_be_empty()
        await expect(page.get_by_label("Current password", exact=True)).to_be_focused()
        await page.get_by_label("Current password", exact=True).fill(FIRST_PASSWORD)
        await page.get_by_role("button", name="Change password").click()
        await expect(page.locator("#password-status")).to_contain_text("Password changed.")
        await expect(page.locator("#currentPassword-error")).to_be_hidden()
        await v.check("me")

        # Signing out ends the session: /me sends the owner to sign in.
        await sign_out(v, server)
        await page.goto(f"{server.url}/me")
        await page.wait_for_url(f"{server.url}/sign-in")

        # Forgot the password: the reset link comes by email.
        await page.get_by_role("link", name="Forgot your password?").click()
        await page.wait_for_url(f"{server.url}/forgot-password")
        earlier = mail_files(server.mail_dir)
        await page.get_by_label("Username or email address", exact=True).fill(username)
        await page.get_by_role("button", name="Email me a link").click()
        await expect(page.locator("#sent")).to_contain_text("on its way")
        await v.check("forgot-password")
        reset_link = await emailed_link(server.mail_dir, address, "reset-password", after=earlier)

        await page.goto(reset_link)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
        await v.check("reset-password")
        await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Save my new password").click()
        await page.wait_for_url(f"{server.url}/me")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Dana Reyes")

        # Sign in again: an old password is refused next to its field, the new one works.
        await sign_out(v, server)
        await page.get_by_label("Username", exact=True).fill(username)
        await page.get_by_label("Password", exact=True).fill(SECOND_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.locator("#password-error")).to_have_text("The username or password is not correct.")
        await v.check("sign-in-refused")
        await page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{server.url}/me")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Dana Reyes")
        await expect(page.locator("#phone")).to_have_value("(555) 010-0199")

        # The picture removed: gone from the page and from the contact.
        await expect(picture).to_be_visible()
        await page.get_by_role("button", name="Remove picture").click()
        await expect(page.locator("#picture-status")).to_have_text("Picture removed.")
        await expect(picture).to_be_hidden()
        await expect(page.locator("#picture-caption")).to_have_text("No picture yet.")
        assert (await live.read_contact(contact_id))["profileImage"] is None
        assert v.problems == []
    finally:
        await v.close()


async def test_an_expired_invite_link_says_so(pages_server, browser, builder, settings, tmp_path):
    from playwright.async_api import expect

    # A second server that sends invites valid for 0 hours; the first one's outbox
    # sender mails them, with links to itself.
    short_lived = start_live_server(
        settings, tmp_path, INVITE_TTL_HOURS="0", APP_URL=pages_server.url, MAIL_DIR=str(pages_server.mail_dir)
    )
    try:
        _, address = await LiveBuilder(short_lived.url, builder.token).invite("Erin", "Expired")
    finally:
        stop_live_server(short_lived)
    link = await emailed_link(pages_server.mail_dir, address, "accept-invite")

    v = await visit(browser, DESKTOP)
    try:
        await v.page.goto(link)
        await expect(v.page.get_by_role("heading", name="This invite link no longer works")).to_be_visible()
        await expect(v.page.locator("#dead")).to_contain_text("Ask your builder to send you a new invite.")
        await expect(v.page.locator("#accept-form")).to_be_hidden()
        await v.check("accept-invite-expired")
        assert v.problems == []
    finally:
        await v.close()


async def test_a_used_link_a_weak_password_and_a_taken_username_each_say_so(pages_server, browser, builder):
    from playwright.async_api import expect

    live = LiveBuilder(pages_server.url, builder.token)
    _, first_address = await live.invite("Uma", "Used")
    used_link = await emailed_link(pages_server.mail_dir, first_address, "accept-invite")
    taken = await accept_by_api(pages_server, used_link, "uma")

    v = await visit(browser, DESKTOP)
    page = v.page
    try:
        # The link was used: the page says so instead of offering the form.
        await page.goto(used_link)
        await expect(page.get_by_role("heading", name="This invite link no longer works")).to_be_visible()
        await expect(page.locator("#accept-form")).to_be_hidden()
        await v.shot("accept-invite-used")

        _, address = await live.invite("Walt", "Weak")
        await page.goto(await emailed_link(pages_server.mail_dir, address, "accept-invite"))
        await expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Walt")

        # A weak password: the refusal stands under the password, tied to it.
        await page.get_by_label("Username", exact=True).fill(f"walt-{uuid.uuid4().hex[:6]}")
        await page.get_by_label("Password", exact=True).fill("password123")
        await page.get_by_role("button", name="Create my account").click()
        password_error = page.locator("#password-error")
        await expect(password_error).to_have_text("Choose a less common password; this one is among the most used.")
        password = page.get_by_label("Password", exact=True)
        await expect(password).to_have_attribute("aria-invalid", "true")
        await expect(password).to_have_attribute("aria-describedby", re.compile(r"\bpassword-error\b"))
        await expect(password).to_be_focused()
        await v.check("accept-invite-weak-password")

        # A taken username: under the username; the password's error is gone.
        await page.get_by_label("Username", exact=True).fill(taken.upper())
        await password.fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Create my account").click()
        await expect(page.locator("#username-error")).to_have_text("This username is taken. Choose another one.")
        await expect(page.get_by_label("Username", exact=True)).to_be_focused()
        await expect(password_error).to_be_hidden()
        await expect(password).not_to_have_attribute("aria-invalid", "true")
        await v.check("accept-invite-username-taken")
        assert v.problems == []
    finally:
        await v.close()


async def test_a_builder_who_signs_in_here_is_sent_to_their_own_tools(pages_server, browser, builder):
    from playwright.async_api import expect

    from conftest import ADMIN_PASSWORD

    v = await visit(browser, DESKTOP)
    page = v.page
    try:
        await page.goto(f"{pages_server.url}/sign-in")
        await page.get_by_label("Username", exact=True).fill(builder.username)
        await page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        notice = page.locator("#builder")
        await expect(notice).to_be_visible()
        await expect(notice).to_contain_text("Builder staff work in their own app, or in GraphiQL")
        await expect(page.get_by_role("heading", name="These pages are for homeowners")).to_be_focused()
        assert await v.session_cookie() is None
        assert page.url == f"{pages_server.url}/sign-in"
        await v.check("sign-in-builder")
        assert v.problems == []
    finally:
        await v.close()


async def test_a_new_primary_email_waits_for_its_link_and_is_confirmed_on_its_page(pages_server, browser, builder):
    from playwright.async_api import expect

    server = pages_server
    live = LiveBuilder(server.url, builder.token)
    contact_id, address = await live.invite("Cora", "Change")
    username = await accept_by_api(server, await emailed_link(server.mail_dir, address, "accept-invite"), "cora")
    new_address = f"cora-new-{uuid.uuid4().hex[:8]}@example.com"

    v = await visit(browser, DESKTOP)
    page = v.page
    try:
        await sign_in(v, server, username, FIRST_PASSWORD)
        primary = page.get_by_label("Primary email", exact=True)
        pending = page.locator("#pending-email")

        # Asked for: pending, shown with a way to cancel; the primary email stays.
        await primary.fill(new_address)
        await page.get_by_role("button", name="Save contact information").click()
        await expect(page.locator("#info-status")).to_have_text(
            f"Saved. We emailed a link to {new_address}: your primary email changes once you open it."
        )
        await expect(pending).to_contain_text(f"Waiting for confirmation: {new_address}.")
        await expect(primary).to_have_value(address)
        assert (await live.read_contact(contact_id))["primaryEmail"] == address
        await v.check("me-email-pending")
        await page.get_by_role("button", name="Cancel this change").click()
        await expect(page.locator("#info-status")).to_have_text("The change of primary email is cancelled.")
        await expect(pending).to_be_hidden()

        # Asked for again; confirmed on the page the emailed link opens.
        earlier = mail_files(server.mail_dir)
        await primary.fill(new_address)
        await page.get_by_role("button", name="Save contact information").click()
        await expect(pending).to_be_visible()
        link = await emailed_link(server.mail_dir, new_address, "confirm-email", after=earlier)
        await page.goto(link)
        await expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your new email address")
        await v.check("confirm-email")
        await page.get_by_role("button", name="Confirm my new email address").click()
        await expect(page.get_by_role("heading", name="Your primary email is changed")).to_be_focused()
        await expect(page.locator("#done-text")).to_have_text(f"Your primary email is now {new_address}.")
        assert (await live.read_contact(contact_id))["primaryEmail"] == new_address
        assert await v.session_cookie() is None  # confirming ended every session
        await v.shot("confirm-email-done")

        # The link works once.
        await page.goto(link)
        await page.get_by_role("button", name="Confirm my new email address").click()
        await expect(page.get_by_role("heading", name="This confirmation link no longer works")).to_be_visible()
        await v.shot("confirm-email-used")
        await sign_in(v, server, username, FIRST_PASSWORD)
        await expect(primary).to_have_value(new_address)
        assert v.problems == []
    finally:
        await v.close()
