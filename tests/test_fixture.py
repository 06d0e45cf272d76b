"""The original kept in the project is the article itself, byte for byte."""

from pathlib import Path

import pytest
from source_text import FIXTURE

# The shared folder beside the checkout holds the article as it was handed to the project.
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_12abd55b1529aae7.txt"


def test_fixture_is_the_seed_byte_for_byte() -> None:
    if not SHARED_SEED.exists():
        pytest.skip(f"{SHARED_SEED} is not beside this checkout")
    assert FIXTURE.read_bytes() == SHARED_SEED.read_bytes()


def test_fixture_is_utf8_text_with_the_articles_shape() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count("💡") == 3
    assert text.count("✅") == 6
    assert text.count("さらに読む") == 2
