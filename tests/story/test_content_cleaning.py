"""Bundled content is valid and correct; cleaning and choice extraction survive a small model's output."""

from engine.story import ChapterType, load_content
from engine.story.characters import describe_characters
from engine.story.cleaning import as_action, clean_chapter, ends_a_sentence, extract_choices, fallback_choices
from engine.story.prompts import plan_chapters


def test_content_has_enough_worlds_topics_and_correct_questions() -> None:
    content = load_content()
    assert len(content.worlds) >= 4 and len(content.topics) >= 4
    ids = set()
    for topic in content.topics.values():
        assert len(topic.questions) >= 3
        for question in topic.questions:
            assert question.answer in question.options and len(question.options) == 3
            assert question.explanation.strip()
            assert question.id not in ids
            ids.add(question.id)
    positions = {q.answer_index for t in content.topics.values() for q in t.questions}
    assert positions == {0, 1, 2}  # "always the first option" is not always right
    for world in content.worlds.values():
        assert world.setting and world.tone and world.protagonist.appearance


def test_plan_starts_with_story_ends_with_conclusion_and_reflects_after_lessons() -> None:
    plan = plan_chapters(8)
    assert len(plan) == 8 and plan[0] is ChapterType.STORY and plan[-1] is ChapterType.CONCLUSION
    assert plan.count(ChapterType.LESSON) == 2
    for i, kind in enumerate(plan[:-1]):
        if kind is ChapterType.LESSON:
            assert plan[i + 1] in (ChapterType.REFLECTION, ChapterType.CONCLUSION)
    assert plan_chapters(3) == [ChapterType.STORY, ChapterType.LESSON, ChapterType.CONCLUSION]


def test_cleaning_removes_role_markers_special_tokens_echoes_and_lists() -> None:
    raw = (
        "<|im_start|>assistant\nAssistant: Setting: A busy fishing town.\n"
        "Hero: Mira.\n## Chapter 2\n**The Letter**\n"
        "Write the next part of the story in two short paragraphs.\n"
        "Mira walked to the docks. user: The lanterns glowed. She saw a letter. It smelled of salt. "
        "A gull cried. The ferry horn sounded. Jonas waved from his boat.\n"
        "1. Ask Jonas\n2. Read the letter\n"
        "She opened the envelope and fou"
    )
    text = clean_chapter(raw, echoes=["Write the next part of the story in two short paragraphs."])
    for leak in ("<|", "Assistant", "assistant", "user:", "Setting:", "Hero:", "Chapter", "##", "**", "Write the next", "1."):
        assert leak not in text
    assert text.startswith("Mira walked to the docks.")
    assert text.endswith("Jonas waved from his boat.")  # the half sentence is cut
    assert "\n\n" in text  # a wall of sentences became paragraphs


def test_choice_extraction_normalises_numbered_lines_and_drops_junk() -> None:
    raw = (
        "Here are three numbered actions:\n\n1. Mira would take a coin from her pocket.\n"
        "2. She could write down the message, which would help.\n3. Mira can hand the note to Jonas\n4. extra"
    )
    assert extract_choices(raw, "Mira") == ["Take a coin from her pocket.", "Write down the message.", "Hand the note to Jonas."]
    assert extract_choices("1. 1. 1. 1. 1. 1.", "Mira") == []
    assert len(extract_choices("1. Run home\n2. Run home now\n3. Run home", "Mira")) == 1


def test_fallback_choices_come_from_the_chapter_and_the_topic() -> None:
    text = "Mira met Jonas at the docks. Jonas held a letter."
    choices = fallback_choices(text, "Mira", ["Check the sender", "Ask someone trusted", "Go to the real site"], ["the docks"])
    assert len(choices) == 3 and len(set(choices)) == 3
    assert "Jonas" in choices[0] and "docks" in choices[1]


def test_character_visuals_are_read_from_the_text() -> None:
    world = load_content().world("harbor-town")
    found = describe_characters("Jonas, an old sailor with a grey beard, waved. I'm sure Jonas knew.", world, {})
    assert found == {"Jonas": "an old sailor with a grey beard"}


def test_talk_about_the_list_and_fragments_are_not_choices() -> None:
    raw = (
        "Here's a numbered list of 3 different actions that could happen next to Mira:\n"
        "1. Mira decides to decides to talk\n"
        "2. The lanterns glowed over the\n"
        "3. Mira decides to ask Jonas about the letter.\n"
        "4. Sure, here are some options\n"
        "5. Follow the gull to the old pier"
    )
    choices = extract_choices(raw, "Mira")
    assert choices == ["Ask Jonas about the letter.", "Follow the gull to the old pier."]
    for choice in choices:
        assert choice[0].isupper() and ends_a_sentence(choice)


def test_a_choice_reads_as_an_action_after_decided_to() -> None:
    assert as_action("Decides to ask Jonas about the letter.") == "ask Jonas about the letter"
    assert as_action("Follow the gull.") == "follow the gull"


def test_chapters_end_at_a_sentence_boundary() -> None:
    assert clean_chapter("Mira ran to the docks. She saw Jonas and the") == "Mira ran to the docks."
    early = clean_chapter("Mira ran. She ran past the lanterns, the boats and the nets, towards the old lighthouse and the")
    assert ends_a_sentence(early) and early.endswith("the boats and the nets.")  # closed at its last clause
    assert clean_chapter("no stop at all, just words and") == "no stop at all, just words."


def test_fallback_choices_are_sentences() -> None:
    choices = fallback_choices("Nothing here.", "Mira", ["Check the sender"], [])
    assert len(choices) == 3 and all(ends_a_sentence(c) for c in choices)
