"""The comment box in a real Chromium (issue 19), driven by Playwright against a running commentd, its stand-in login
provider and a real PostgreSQL, started by Tests/Browser/run.sh. The article page is served at http://localhost:PORT
and the API at http://127.0.0.1:PORT: two origins, as an article page and commentd will be.

Each check raises on failure; the script exits non-zero on the first. Screenshots go to SCREENSHOTS (a folder)."""

import os
import subprocess
import sys
import time
import unicodedata

from playwright.sync_api import expect, sync_playwright

API = os.environ["BOX_API"]            # http://127.0.0.1:PORT
PAGE = os.environ["BOX_PAGE"]          # http://localhost:PORT/demo
MODCTL = os.environ["BOX_MODCTL"]      # the modctl binary (DATABASE_URL in the environment)
WORKER = os.environ["BOX_WORKER"]      # "commentd work" command line, started when a test needs decisions
SHOTS = os.environ["SCREENSHOTS"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
expect.set_options(timeout=15_000)

def log(message):
    print(f"browser: {message}", flush=True)

def counter(page):
    return page.locator(".commentdesk-count")

def login(page, provider, allow=True):
    button = "Log in with X (Twitter)" if provider == "x" else "Log in with Facebook"
    with page.expect_popup() as opened:
        page.get_by_role("button", name=button).click()
    popup = opened.value
    popup.wait_for_load_state()
    expect(popup.get_by_text("(stand-in)").first).to_be_visible()
    with popup.expect_event("close"):
        popup.locator("#allow" if allow else "#deny").click()

def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])

        # Logged out: the seed's wording and lock, both buttons, the box disabled, the counter at 0.
        for name, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
            context = browser.new_context(viewport=size)
            page = context.new_page()
            page.goto(PAGE)
            expect(page.get_by_text("To write comments, please log in to one of the accounts.")).to_be_visible()
            expect(page.get_by_text("Log in to Twitter or Facebook account to connect with the Korea JoongAng Daily")).to_be_visible()
            expect(page.get_by_role("textbox", name="Comment")).to_be_disabled()
            expect(counter(page)).to_have_text("0/250자")
            expect(page.get_by_role("button", name="Post")).to_be_disabled()
            page.screenshot(path=os.path.join(SHOTS, f"comment-box-logged-out-{name}.png"), full_page=True)
            context.close()
        log("logged out: wording, lock, buttons, disabled box, 0/250자")

        # A denied consent: the box says so, nobody is logged in.
        context = browser.new_context()
        page = context.new_page()
        page.goto(PAGE)
        login(page, "x", allow=False)
        expect(page.locator(".commentdesk-status")).to_contain_text("did not allow")
        expect(page.get_by_role("textbox", name="Comment")).to_be_disabled()
        # A callback whose state commentd never issued: refused, with a page that says what to do.
        refused = context.new_page()
        refused.goto(f"{API}/auth/x/callback?code=forged&state={'A' * 43}")
        expect(refused.get_by_text("This login has expired")).to_be_visible()
        context.close()
        log("refused logins: denied consent, wrong state")

        # Log in with each provider through the stand-in.
        for provider in ("facebook", "x"):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(PAGE)
            login(page, provider)
            expect(page.get_by_text("Logged in as Kim Reader")).to_be_visible()
            expect(page.get_by_role("textbox", name="Comment")).to_be_enabled()
            if provider == "facebook":
                context.close()
        log("logged in with Facebook and with X")

        # The counter, as the server counts: 0, 10, 250 and 251 with Korean (composed and decomposed) and emoji.
        box = page.get_by_role("textbox", name="Comment")
        post = page.get_by_role("button", name="Post")
        cases = [
            ("", "0/250자", False),
            ("가나다라마바사아자차", "10/250자", True),
            ("한" * 250, "250/250자", True),
            (unicodedata.normalize("NFD", "한" * 250), "250/250자", True),
            ("👨‍👩‍👧‍👦" * 250, "250/250자", True),
            ("  " + "🇰🇷" * 250 + "\n", "250/250자", True),
            ("한" * 251, "251/250자", False),
            ("👍🏽" * 251, "251/250자", False),
        ]
        for text, shown, enabled in cases:
            box.fill(text)
            expect(counter(page)).to_have_text(shown)
            (expect(post).to_be_enabled if enabled else expect(post).to_be_disabled)()
        expect(counter(page)).to_have_class("commentdesk-count commentdesk-over")
        log("counter: 0, 10, 250 (composed, decomposed, emoji, trimmed) and 251")

        box.fill("좋은 기사 감사합니다 <b>not bold</b>")
        page.screenshot(path=os.path.join(SHOTS, "comment-box-logged-in-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=os.path.join(SHOTS, "comment-box-logged-in-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        # Post → awaiting review (no worker yet) → the worker holds a new reader's first comment (new_commenter) →
        # only its author sees it, with the reason in words → a moderator approves → listed for everyone.
        post.click()
        mine = page.locator(".commentdesk-mine li").first
        expect(mine.locator(".commentdesk-state")).to_have_text("Awaiting review")
        expect(mine.locator(".commentdesk-body")).to_have_text("좋은 기사 감사합니다 <b>not bold</b>")
        comment_id = mine.get_attribute("data-comment-id")
        worker = subprocess.Popen(WORKER, shell=True, stdout=subprocess.DEVNULL, stderr=open(os.environ["BOX_WORKER_LOG"], "a"))
        try:
            expect(mine.locator(".commentdesk-state")).to_contain_text("Held for review")
            expect(mine.locator(".commentdesk-state")).to_contain_text("a new account's first comments")
            stranger = browser.new_context().new_page()
            stranger.goto(PAGE)
            expect(stranger.get_by_text("No comments yet.")).to_be_visible()
            expect(stranger.get_by_text("좋은 기사 감사합니다")).to_have_count(0)
            log("posted: awaiting review, then held and shown to its author only")
            subprocess.run([MODCTL, "approve", comment_id, "--moderator", "browser-test"], check=True, stdout=subprocess.DEVNULL)
            listed = page.locator(".commentdesk-list li").first
            expect(listed.locator(".commentdesk-body")).to_have_text("좋은 기사 감사합니다 <b>not bold</b>")
            expect(listed.locator(".commentdesk-author")).to_have_text("Kim Reader")
            expect(page.locator(".commentdesk-list b")).to_have_count(0)
            stranger = browser.new_context().new_page()
            stranger.goto(PAGE)
            expect(stranger.locator(".commentdesk-list .commentdesk-body").first).to_have_text("좋은 기사 감사합니다 <b>not bold</b>")
            log("approved by a moderator: listed, as text, for everyone")
        finally:
            worker.terminate()
            worker.wait(timeout=30)

        # Every refusal in words: a banned account, a closed article, posting too fast (with the wait).
        def refused_with(text):
            box.fill("one more comment")
            post.click()
            expect(page.locator(".commentdesk-status")).to_contain_text(text)
        account = "twitter:1000001"
        subprocess.run([MODCTL, "ban", account, "--reason", "browser test", "--moderator", "browser-test"], check=True, stdout=subprocess.DEVNULL)
        refused_with("This account may not comment here.")
        subprocess.run([MODCTL, "unban", account, "--reason", "browser test", "--moderator", "browser-test"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([MODCTL, "articles", "close", "demo-1"], check=True, stdout=subprocess.DEVNULL)
        refused_with("Comments are closed on this article.")
        subprocess.run([MODCTL, "articles", "open", "demo-1"], check=True, stdout=subprocess.DEVNULL)
        for n in range(4):  # the policy's burst limit is 5 a minute; one was posted above
            box.fill(f"comment number {n}")
            post.click()
            expect(page.locator(".commentdesk-mine li")).to_have_count(n + 1)
        refused_with("You are posting too fast. Please try again in")
        log("refusals in words: banned, closed, too fast with the wait")

        # A login that has expired at the server (here: a token the server no longer accepts) logs the box out.
        page.evaluate("""() => { for (const key of Object.keys(sessionStorage)) {
            const session = JSON.parse(sessionStorage.getItem(key)); session.token = session.token.slice(0, -4) + "AAAA";
            sessionStorage.setItem(key, JSON.stringify(session)); } }""")
        page.reload()
        expect(page.get_by_text("Logged in as Kim Reader")).to_be_visible()
        box = page.get_by_role("textbox", name="Comment")
        post = page.get_by_role("button", name="Post")
        refused_with("Your login has expired. Please log in again.")
        expect(page.get_by_role("textbox", name="Comment")).to_be_disabled()
        login(page, "x")
        expect(page.get_by_text("Logged in as Kim Reader")).to_be_visible()
        log("an expired login: said in words, logged out, logged in again")

        # Logging out disables the box again.
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("textbox", name="Comment")).to_be_disabled()

        # Keyboard only: the login button takes the focus and Enter opens the login.
        keyboard = browser.new_context().new_page()
        keyboard.goto(PAGE)
        keyboard.get_by_role("button", name="Log in with X (Twitter)").focus()
        with keyboard.expect_popup() as opened:
            keyboard.keyboard.press("Enter")
        opened.value.close()

        # "More comments": 25 more approved comments; a page holds 20.
        seed = ";".join(
            f"SELECT submit_comment('demo-1', 'facebook', 'seed-{n}', 'Seeder {n}', 'seeded comment {n}', NULL)" for n in range(25))
        subprocess.run(["psql", os.environ["DATABASE_URL"], "-q", "-X", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-c",
                        seed + "; UPDATE comments SET status = 'approved' WHERE body LIKE 'seeded comment %'"], check=True)
        reader = browser.new_context().new_page()
        reader.goto(PAGE)
        expect(reader.locator(".commentdesk-list li")).to_have_count(20)
        reader.get_by_role("button", name="More comments").click()
        expect(reader.locator(".commentdesk-list li")).to_have_count(26)
        expect(reader.get_by_role("button", name="More comments")).to_be_hidden()
        log("keyboard login; More comments pages through the list")

        # Replies and reports (issue 20). The burst limit is lifted: the refusals above used this minute's posts.
        def sql(statement):
            out = subprocess.run(["psql", os.environ["DATABASE_URL"], "-q", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", statement],
                                 check=True, capture_output=True, text=True)
            return out.stdout.strip()
        sql("UPDATE policy_versions SET reader_posts_per_minute = 0 WHERE is_active")
        community = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        community.goto(PAGE)
        community.locator(".commentdesk-list > li").first.get_by_role("button", name="Reply").click()
        expect(community.locator(".commentdesk-status")).to_have_text("Log in to reply or to report a comment.")
        login(community, "x")
        expect(community.get_by_text("Logged in as Kim Reader")).to_be_visible()
        expect(community.locator(".commentdesk-status")).to_have_text("")
        first = community.locator(".commentdesk-list > li").first
        parent_id = first.get_attribute("data-comment-id")
        first.get_by_role("button", name="Reply").click()
        reply_box = first.get_by_role("textbox", name="Reply to Seeder 24")
        expect(reply_box).to_be_focused()
        reply_box.fill("한" * 251)
        expect(first.locator(".commentdesk-count")).to_have_text("251/250자")
        expect(first.get_by_role("button", name="Post")).to_be_disabled()
        reply_box.fill("답글입니다, a reply")
        first.get_by_role("button", name="Post").click()
        expect(community.locator(".commentdesk-mine li").first.locator(".commentdesk-body")).to_have_text("답글입니다, a reply")
        expect(first.get_by_role("textbox")).to_have_count(0)
        assert sql("SELECT parent_id FROM comments WHERE body = '답글입니다, a reply'") == parent_id, "the reply names its parent"

        second = community.locator(".commentdesk-list > li").nth(1)
        second.get_by_role("button", name="Report").click()
        second.get_by_role("combobox", name="Why?").select_option("spam")
        second.get_by_role("textbox", name="A note for the moderators (optional)").fill("sells watches")
        community.screenshot(path=os.path.join(SHOTS, "comment-box-report-desktop.png"), full_page=False)
        second.get_by_role("button", name="Send report").click()
        expect(second.get_by_text("Thank you. The moderators will look at it.")).to_be_visible()
        flagged = second.get_attribute("data-comment-id")
        assert sql(f"SELECT reason || '|' || note FROM comment_flags WHERE comment_id = {flagged}") == "spam|sells watches"
        # With a threshold of one flag, the report hides the comment at once, and the box says so.
        sql("UPDATE policy_versions SET flags_to_hide = 1 WHERE is_active")
        third = community.locator(".commentdesk-list > li").nth(2)
        third.get_by_role("button", name="Report").click()
        third.get_by_role("button", name="Send report").click()
        expect(third.get_by_text("Thank you. The comment is hidden until a moderator has looked at it.")).to_be_visible()
        assert sql(f"SELECT status FROM comments WHERE id = {third.get_attribute('data-comment-id')}") == "held"
        log("reply with its own counter; report with a reason and note; a report that hides the comment")

        # The reply, once approved, is listed under its parent for everyone; a reply has no Reply button.
        sql("UPDATE comments SET status = 'approved' WHERE body = '답글입니다, a reply'")  # no worker runs here: approved as seeded
        for n in range(4):  # more replies than the listing shows under a comment
            sql(f"SELECT submit_comment('demo-1', 'facebook', 'replier-{n}', 'Replier {n}', 'extra reply {n}', NULL)")
        sql(f"UPDATE comments SET status = 'approved', parent_id = {parent_id} WHERE body LIKE 'extra reply %'")
        reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        reader.goto(PAGE)
        thread = reader.locator(f".commentdesk-list > li[data-comment-id='{parent_id}']")
        expect(thread.locator(".commentdesk-replies > li")).to_have_count(3)
        expect(thread.locator(".commentdesk-replies > li").first.locator(".commentdesk-body")).to_have_text("답글입니다, a reply")
        expect(thread.locator(".commentdesk-replies > li").first.get_by_role("button", name="Reply")).to_have_count(0)
        expect(thread.locator(".commentdesk-replies > li").first.get_by_role("button", name="Report")).to_have_count(1)
        reader.screenshot(path=os.path.join(SHOTS, "comment-box-replies-desktop.png"), full_page=False)
        thread.get_by_role("button", name="More replies (2)").click()
        expect(thread.locator(".commentdesk-replies > li")).to_have_count(5)
        expect(thread.get_by_role("button", name="More replies (2)")).to_be_hidden()
        log("replies under their parent, More replies pages the rest")

        # Korean UI from the page's lang.
        korean = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        korean.goto(PAGE + "?lang=ko")
        expect(korean.get_by_text("댓글을 쓰려면 계정 중 하나로 로그인하세요.")).to_be_visible()
        expect(korean.get_by_role("button", name="X(트위터)로 로그인")).to_be_visible()
        expect(korean.get_by_role("textbox", name="댓글")).to_be_disabled()
        korean.screenshot(path=os.path.join(SHOTS, "comment-box-korean-desktop.png"), full_page=True)
        log("Korean UI")
        browser.close()

if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        print(f"browser: FAILED: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    print("browser: all comment box checks passed", flush=True)
