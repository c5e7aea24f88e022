"""Take the screenshots in this folder: the real app, with real content, under Xvfb.

    Xvfb :99 -screen 0 1440x900x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb uv run python docs/screenshots/take_screenshots.py

A fake OpenRouter and a fake store run in-process (tests/fakes); the app works in a
throw-away home directory. Each screen is captured with ImageMagick's `import -window root`.
"""

# ruff: noqa: E501 - the sample drafts keep each paragraph on one line, as a model writes it

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

HOME = Path(tempfile.mkdtemp(prefix="copydesk-shots-"))
for _name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_name] = str(HOME / _name.lower())

BLOG = """# Linen for long summer days

There is a particular kind of quiet that comes with a good linen dress. It creases where you move, it softens with every wash, and it keeps you cool when the city is not.

## Cut from cloth that already existed

Every piece in the summer collection is cut from **deadstock linen**: bolts left over by larger mills, which would otherwise go to waste. When a bolt runs out, the style is gone for good — and we think that is rather lovely.

- *The Alma dress* — washed linen, a relaxed waist, pockets deep enough for a paperback.
- *The Porto shirt* — a boxy cut in sand and sea-glass green.
- *The Vale trousers* — wide, cropped, and kind to long train journeys.

## Sewn by hand in Porto

Our studio is small on purpose. Six people cut, sew and press every garment, and each label carries the initials of the person who finished it.

> "We would rather you owned five things you love than fifty you forget."

Come and see the collection in the studio this week, or browse it online — free shipping over €80, and free repairs for as long as you wear it. """

LINKEDIN = """Six people, one studio in Porto, and a summer collection cut entirely from deadstock linen.

When a bolt of cloth runs out, the style is gone for good. That constraint has shaped everything we make this year: fewer pieces, better seams, and garments meant to outlast the season they were bought in.

Three things we learned making it:
• Waste is a design brief, not a footnote.
• Customers notice who finished their garment — so every label says.
• Slow is a feature when the product is meant to last.

The collection is live this week. We would love to hear what you think.

#SlowFashion #Linen #MadeInPortugal"""

X_THREAD = """1/ Our summer linen collection is here — cut from deadstock cloth, sewn by hand in Porto.

2/ When a bolt runs out, the style is gone for good. Small runs, on purpose.

3/ The Alma dress, the Porto shirt, the Vale trousers. Free repairs for as long as you wear them.

4/ Come and see them in the studio this week, or online: link in bio."""


def _responder() -> Callable[[dict[str, Any]], Any]:
    from tests.agents.helpers import agent_of
    from tests.fakes.openrouter_server import default_responder, reply

    texts = {"blog": BLOG, "linkedin": LINKEDIN, "x": X_THREAD}

    def respond(body: dict[str, Any]) -> Any:
        try:
            agent, platform = agent_of(body)
        except (AssertionError, StopIteration, KeyError):
            return default_responder(body)
        text = texts.get(platform, BLOG)
        if agent == "blog-reviewer":
            return reply(
                json_content={
                    "score": {"blog": 88, "linkedin": 84, "x": 79}.get(platform, 82),
                    "criteria": {
                        "platform_appropriateness": 90,
                        "style_consistency": 86,
                        "clarity": 88,
                        "engagement": 81,
                        "grammar": 95,
                    },
                    "feedback": "Warm and concrete, true to the brand's unhurried voice. "
                    "The call to action could name the studio's opening hours.",
                },
                chunk_size=12,
                delay=0.004,
            )
        if agent == "seo-specialist":
            return reply(
                json_content={
                    "content": text,
                    "title": "Summer linen dresses, sewn by hand in Porto",
                    "description": "Deadstock linen dresses, shirts and trousers, cut in small "
                    "runs and sewn by hand in our Porto studio. Free repairs for life.",
                    "keywords": ["linen dress", "deadstock linen", "slow fashion", "Porto"],
                    "slug": "summer-linen-collection",
                },
                chunk_size=12,
                delay=0.004,
            )
        return reply(text, chunk_size=6, delay=0.012)

    return respond


def main() -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QWizard

    from app.agents.generate import start_piece
    from app.agents.runner import PipelineRunner
    from app.config import load_config
    from app.db.engine import open_database
    from app.db.seed import seed_defaults
    from app.llm.client import OpenRouterClient
    from app.notifications import ErrorRouter
    from app.services.clients import ensure_client
    from app.services.projects import create_project, set_brand_voice
    from tests.fakes.openrouter_server import TEST_KEY, FakeOpenRouter
    from tests.fakes.store_server import FakeStore
    from tests.ui.library_data import fill_library
    from ui.application import create_application
    from ui.desktop import Desktop
    from ui.main_window import MainWindow

    def spin(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the screen did not get ready")
            spin(0.05)

    def shot(name: str) -> None:
        spin(0.4)  # let pending paints land
        subprocess.run(["import", "-window", "root", str(OUT / f"{name}.png")], check=True)
        print("saved", name)

    fake = FakeOpenRouter(valid_keys=None).start()
    store = FakeStore(product_count=120).start()
    fake.set_responder(_responder())
    os.environ["OPENROUTER_BASE_URL"] = fake.base_url
    os.environ["OPENROUTER_API_KEY"] = TEST_KEY
    config = load_config()

    db = open_database(config.database_url)
    seed_defaults(db)
    fill_library(db, 60)
    with db.session() as session:
        client = ensure_client(session, "Juniper & Vale")
        project = create_project(session, client.id, "Online store", store_url=store.url)
        set_brand_voice(
            session,
            project.id,
            {
                "tone": "Warm, plain and unhurried",
                "audience": "People who would rather own five things they love",
                "summary": "Honest, sensory, never hyped.",
            },
        )
        project_id = project.id
    with OpenRouterClient(fake.base_url, TEST_KEY) as llm:
        from app.llm.catalog import refresh

        refresh(db, llm)
        for goal, platforms in (
            ("A blog post announcing the summer linen collection", ["blog", "linkedin", "x"]),
            ("A LinkedIn post about our deadstock linen", ["linkedin"]),
        ):
            piece_id = start_piece(
                db,
                project_ref=str(project_id),
                skill_name="blog-post",
                platforms=platforms,
                template_inputs={"topic": goal},
                goal=goal,
                title="Linen for long summer days" if "blog" in platforms else None,
                options={"max_iterations": 0},
            )
            PipelineRunner(db, llm).run(piece_id)
    db.dispose()

    app = create_application()
    desktop = Desktop.create(config, ErrorRouter())
    window = MainWindow(desktop)
    window.move(0, 0)
    window.resize(1440, 900)
    window.show()
    window.start()
    wait_until(lambda: window.backend is not None and window.library.model.rowCount() > 0)
    table = window.library.table
    row = 0
    for number in range(window.library.model.rowCount()):
        item = window.library.model.row_at(number)
        if item is not None and item.title == "Linen for long summer days":
            row = number
    table.selectRow(row)
    wait_until(lambda: window.piece_view.detail is not None)
    shot("01-library-and-piece")
    window.piece_view.tabs.setCurrentIndex(window.piece_view.tabs.count() - 3)
    shot("02-piece-seo")
    window.piece_view.tabs.setCurrentIndex(window.piece_view.tabs.count() - 2)
    shot("03-piece-agent-log")
    window.piece_view.tabs.setCurrentIndex(0)

    window.library.search.setText("wedding")
    wait_until(
        lambda: window.library.model.state.text == "wedding" and not window.library.model.loading
    )
    shot("04-library-search")
    window.library.search.clear()

    window.new_piece()
    wizard = window._wizard
    assert wizard is not None
    wizard.move(290, 130)
    page1 = wizard.project_page
    wait_until(lambda: page1.skills.rowCount() > 0)
    page1.goal.setPlainText("A blog post and a LinkedIn post about our summer linen dresses")
    wait_until(lambda: page1.project_box.findText("Juniper & Vale / Online store") >= 0)
    page1.project_box.setCurrentIndex(page1.project_box.findText("Juniper & Vale / Online store"))
    wait_until(lambda: page1.skills.rowCount() > 0 and page1.skills.skills[0].suggested)
    shot("05-wizard-project-and-skill")
    wizard.next()
    page2 = wizard.voice_page
    wait_until(lambda: wizard.currentPage() is page2)
    shot("06-wizard-brand-voice")
    wizard.next()
    page3 = wizard.sources_page
    wait_until(lambda: page3.products.rowCount() > 0)
    page3.search.setText("dress")
    from PySide6.QtCore import Qt

    for n in range(3):
        index = page3.filter.mapToSource(page3.filter.index(n, 0))
        page3.products.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    shot("07-wizard-sources")
    wizard.next()
    page4 = wizard.platforms_page
    wait_until(lambda: wizard.currentPage() is page4)
    page4.platform_boxes["linkedin"].setChecked(True)
    page4.platform_boxes["x"].setChecked(True)
    page4.instructions.setPlainText("Mention free repairs for life. Avoid the word 'luxury'.")
    topic = page4.form.field_widget("topic")
    topic.setText("The summer linen collection")  # type: ignore[union-attr]
    shot("08-wizard-platforms")
    wizard.next()
    page5 = wizard.summary_page
    wait_until(lambda: "Estimated cost" in page5.total.text())
    shot("09-wizard-summary")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    wait_until(lambda: window.runs.active_count > 0)
    monitor = window.runs_page.tabs.currentWidget()
    wait_until(
        lambda: (
            len(getattr(monitor, "lanes", {})) == 3
            and all(
                len(lane.live.toPlainText()) > 150
                for lane in monitor.lanes.values()  # type: ignore[union-attr]
            )
        ),
        timeout=120,
    )
    shot("10-run-monitor-streaming")
    wait_until(lambda: window.runs.active_count == 0, timeout=240)
    shot("11-run-monitor-finished")

    from app.llm.errors import BadKey

    window.nav.setCurrentRow(0)
    desktop.router.report(BadKey("User not found."), context="Running the blog lane")
    shot("12-notice-bad-key")
    window.open_key_dialog()
    shot("13-key-dialog")
    window._key_dialog.reject()  # type: ignore[union-attr]
    window.open_preferences()
    shot("14-preferences")
    window._preferences_dialog.reject()  # type: ignore[union-attr]

    from ui.preferences import Appearance
    from ui.theme import apply_appearance

    apply_appearance(app, Appearance.DARK)
    window.notices.clear()
    shot("15-dark-library")
    window.close()
    window.shutdown()
    fake.stop()
    store.stop()
    QApplication.processEvents()


if __name__ == "__main__":
    main()
