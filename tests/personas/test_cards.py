"""Character Card V2 export and import, round-trip tested with hypothesis."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import InvalidRequest
from engine.personas import PersonaProfile
from engine.personas.cards import from_card, parse_card, to_card

_word = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=12)
_phrase = st.lists(_word, min_size=0, max_size=5).map(" ".join)

profiles = st.builds(
    PersonaProfile,
    name=st.lists(_word, min_size=1, max_size=3).map(" ".join),
    personality_traits=st.lists(_word, max_size=6, unique=True),
    aesthetic=_phrase,
    voice_style=_phrase,
    tone_preference=_phrase,
    themes=st.lists(_word, max_size=5, unique=True),
    content_rating=st.sampled_from(["sfw", "moderate", "mature"]),
    appearance_description=_phrase,
    tags=st.lists(_word, max_size=5, unique=True),
)


@settings(max_examples=150, deadline=None)
@given(profiles)
def test_profile_card_profile_round_trip(profile: PersonaProfile) -> None:
    card = to_card(profile)
    text = json.dumps(card, ensure_ascii=False)
    assert from_card(parse_card(text.encode())) == profile


def test_the_card_follows_the_v2_layout() -> None:
    card = to_card(PersonaProfile(name="Ada", personality_traits=["bold", "kind"], appearance_description="red coat",
                                  tags=["demo"]))
    assert card["spec"] == "chara_card_v2" and card["spec_version"] == "2.0"
    data = card["data"]
    for key in ("name", "description", "personality", "scenario", "first_mes", "mes_example", "creator_notes",
                "system_prompt", "post_history_instructions", "alternate_greetings", "tags", "creator",
                "character_version", "extensions"):
        assert key in data, key
    assert data["personality"] == "bold, kind" and data["description"] == "red coat"
    assert data["extensions"]["studio"]["personality_traits"] == ["bold", "kind"]
    assert "You are Ada" in data["system_prompt"]


FOREIGN = {
    "spec": "chara_card_v2",
    "spec_version": "2.0",
    "data": {
        "name": "Captain Vale",
        "description": "A weathered sky-ship captain with a silver braid.",
        "personality": "gruff, loyal, curious",
        "scenario": "Aboard the airship Kestrel.",
        "first_mes": "Welcome aboard.",
        "mes_example": "<START>\n{{char}}: Hold fast.",
        "creator_notes": "",
        "system_prompt": "",
        "post_history_instructions": "Stay in character.",
        "alternate_greetings": ["Another stowaway?"],
        "character_book": {"entries": [{"keys": ["Kestrel"], "content": "The ship.", "enabled": True,
                                        "insertion_order": 0, "extensions": {}}], "extensions": {}},
        "tags": ["fantasy", "airship"],
        "creator": "someone",
        "character_version": "3",
        "extensions": {"depth_prompt": {"depth": 4, "prompt": "x"}},
    },
}


def test_a_foreign_card_imports_and_exports_unchanged() -> None:
    profile = from_card(FOREIGN)
    assert profile.name == "Captain Vale"
    assert profile.personality_traits == ["gruff", "loyal", "curious"]
    assert profile.appearance_description.startswith("A weathered")
    exported = to_card(profile)
    studio = exported["data"]["extensions"].pop("studio")
    assert studio["personality_traits"] == ["gruff", "loyal", "curious"]
    assert exported == FOREIGN
    assert from_card(to_card(profile)) == profile


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (json.dumps({"spec": "chara_card_v1", "data": {}}).encode(), "chara_card_v2"),
        (json.dumps({"spec": "chara_card_v2", "data": {"description": "x"}}).encode(), "data.name"),
        (b"\xff\xfe\x00", "UTF-8"),
    ],
)
def test_bad_cards_say_what_is_wrong(raw: bytes, needle: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        from_card(parse_card(raw))
    assert needle in caught.value.user_message
