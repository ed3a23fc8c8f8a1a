"""A transparent baseline: keyword patterns plus context (video? audio? an image to work on?)."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from engine.intent.classifier import Classifier, build_classification
from engine.intent.models import Classification, ClassifyRequest, Method, Workflow

__all__ = ["RULES", "RulePattern", "RulesClassifier"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class RulePattern:
    workflow: Workflow
    pattern: re.Pattern[str]
    weight: float
    name: str


_VIDEO = _rx(
    r"\b(videos?|vids?|clips?|footage|animat\w*|gif|time[- ]?lapse|slow[- ]?mo\w*|reels?|tiktok|trailer|"
    r"film(?! (scan|look|photo\w*|grain|style|camera|negative|stock|still))|moving (image|picture|scene)|"
    r"loop\w*|b-roll|cinemagraph|movie|boomerang|shot through|tracking shot|dolly|drone|"
    r"camera (flies|flying|glides|gliding|sweeps|moving|moves|pushes|tracks|orbits))\b"
)
_AUDIO = _rx(
    r"\b(music\w*|songs?|sound\w*|audio|voices?|voice ?over|narrat\w*|narrator|speech|speak\w*|talk\w*|says?|"
    r"saying|sing|sings|singing|lip ?sync\w*|soundtrack|jingle|dialogue|podcast|bark\w*|roar\w*|asmr|hear|"
    r"chirp\w*|rap|raps|rapping|crowing|tells? a (joke|story)|"
    r"chant\w*|beat|beats|orchestra\w*|band|choir|purr\w*|meow\w*|howl\w*|neigh\w*|revving|booms?|thunder|"
    r"toast|sermon|anchor|announcer|explain\w*|tutorial|karaoke|lullaby|whisper\w*|crackl\w*|sizzl\w*|"
    r"laugh\w*|cheer\w*|drum\w*|piano|guitar|violin|saxophone|dj|vlog)\b"
)
_NO_AUDIO = _rx(
    r"\b((no|without|zero|don'?t need( any)?) (sound|audio|music|voice|narration)s?|silent|mute[d]?|"
    r"visuals? only)\b"
)
# A soundtrack, a voice or speech: asked for, it means a video even without the word "video".
_SOUNDTRACK = _rx(
    r"\b(music|songs?|soundtrack|jingle|sound effects?|with (the )?sounds?|sound on|audio|voices?|voice ?over|"
    r"narrat\w*|lip ?sync\w*|dialogue|podcast|talking (avatar|head)|theme song)\b"
)
# Said, sung or sounded by someone in a photo: "make this photo talk", "make my dog bark".
_SAYS = _rx(
    r"\b(say\w*|speak\w*|talk\w*|sing|sings|singing|lip ?sync\w*|bark\w*|meow\w*|howl\w*|roar\w*|purr\w*|"
    r"crowing|chirp\w*|rap|rapping|tells? a (joke|story)|voice|music|songs?|sound\w*)\b"
)
# Things that are still pictures: "a thumbnail for my youtube video" is an image.
_STILL = _rx(
    r"\b(photo|photograph|picture|pic|image|poster|thumbnail|cover|banner|logo|wallpaper|sticker|icon|card|"
    r"painting|drawing|illustration|portrait|still|frame|print)s?\b"
)
_NO_VIDEO = _rx(r"\b((no|not an?|without) (animation|video|motion|movement)|one frame|single frame)\b")
# Spans whose video or speech words do not ask for a video: a style ("look like a ghibli movie"),
# a still made for a video ("thumbnail for my youtube video"), text in the picture ("the sign says").
_NOT_MOTION_SPANS = _rx(
    r"\b(look|looks|looking) like (a|an|the|it'?s from a|it was from a)? ?[\w' -]{0,30}?"
    r"(movie|film|animation|cartoon|video ?game|anime|series|show)\b|\bvideo (still|screenshot|frame)s?\b|"
    r"\b(thumbnails?|poster|cover( art)?|banner|still)\b[^.]{0,40}?\b(video|film|movie|channel|vlog|podcast)\b|"
    r"\b(sign|label|text|banner|board|caption|title|plate|mug|shirt|cake|card|poster|note|letter|screen|bottle|"
    r"writing)\b(?:(?!voice)[^.,]){0,20}?\b(say|says|saying|read|reads)\b"
)
# Someone or something of the user's to style; without it (and without an image), style and fashion
# words describe a new picture: "a corgi wearing a party hat", "an isometric pixel art village".
_SUBJECT = _rx(
    r"@\w+|\b(me|myself|us|him|her|them|this|these|that|it|my (face|selfie|pet|dog|cat|son|"
    r"daughter|husband|wife|kids?|family|mom|mum|dad|friends?|boyfriend|girlfriend|partner|baby|grand\w+))\b"
)
_FOR_ME = _rx(
    r"\b((make|draw|create|generate|design|give|show|get|paint|render|find|send|whip up) me "
    r"(a|an|some|the|what|how|something)|gimme)\b"
)
_MOTION = _rx(
    r"\b(move(?! the\b)|moves|moving|moved|movement|motion(?! blur)|animate\w*|come (a)?live|comes? to life|"
    r"to life|blink\w*|wave|waves|waving|sway\w*|flow|flows|flowing|zoom\w*|pan|pans|panning|parallax|"
    r"ken burns|dolly|orbit|live photo|living photo|twinkl\w*|flicker\w*|spin|rotate|walk\w*|jump\w*|nod|"
    r"smile|drive off|sail away|blow in|breez\w*|fall|roll)\b"
)
# Asking for motion outright: enough to mean a video even when style or edit words are present.
_ANIMATE = _rx(
    r"\b(animate\w*|come (a)?live|comes? to life|to life|(move|moves|moving)(?! (the|it|him|her|them|this|"
    r"that|to|over|closer)\b)|motion(?! blur)|live photo|living photo|cinemagraph|parallax|ken burns|orbit\w*|"
    r"(blow|blows|blowing|flow|flowing|sway|swaying|flutter\w*) in the (wind|breeze))\b"
)
# What a subject in a photo can be made to do; counts as motion only with an image to animate.
_ACTION = _rx(
    r"\b(dance|dancing|wag\w*|gallop\w*|swim|swims|swimming|fly|flies|flying|flap\w*|run|runs|running|rise|"
    r"rises|rising|float|floats|floating|burn|burns|burning|blow|blows|blowing|drive (away|off)|sail|sails|"
    r"sailing|turn (its|his|her|their) heads?|look (at|up|around)|breath\w*|laugh\w*|drift\w*|"
    r"ripple\w*|rustl\w*|shimmer\w*|glitter\w*|sparkl\w*|crash\w*|splash\w*)\b"
)
_IMAGE_REF = _rx(
    r"\b(this|my|the|our|that|his|her|in) (old |late |family |wedding |baby'?s? )?"
    r"(photo|pic|picture|image|portrait|selfie|shot|painting|drawing|illustration|still|art|landscape)s?\b|"
    r"\b(photo|image|picture|pic) (to|into) (a )?(video|clip|animation)\b|"
    r"\b(upload\w*|have|attach\w*|send\w*|here'?s) (a|an|my|this|the) (photo|pic|picture|image|selfie)\b"
)
_FROM_SCRATCH = _rx(
    r"\b(from scratch|brand new|totally new|completely different|new (image|pic|picture|video)|forget|ignore|"
    r"not (an edit|from my))\b"
)

RULES: tuple[RulePattern, ...] = tuple(
    RulePattern(workflow, _rx(pattern), weight, name)
    for workflow, weight, name, pattern in (
        (Workflow.HAIR_STYLING, 3.0, "hair words",
         r"\b(hair\w*|haircut|hairstyles?|hairdo|bangs|fringe|bob|pixie|buzz ?cut|fade|mullet|mohawk|braids?|"
         r"braid|cornrows|dread\w*|pony ?tail|pony|bun|updo|perm|curls?|curly|wavy|blonde?|brunette|redhead|"
         r"ginger|balayage|ombre|highlights|streaks|undercut|shag|lob|afro|bald|shaved head|crew cut|"
         r"pompadour|pigtails|top knot|wolf cut|dye|roots|blowout|side part|platinum|hairline|shav(e|ed|ing)|"
         r"grow (it|my \w+|his \w+|her \w+) out|chop\w* (it|my|his|her)|buns|half up|shoulder[- ]length|"
         r"layers|layered|(bowl|jellyfish|butterfly|hime|caesar|textured) (cut|crop))\b"),
        (Workflow.REFERENCE_STYLING, 3.0, "try-on or dress-up",
         r"\b(try (this|these|it|them|that)? ?on|try on|wear|wears|wearing|dress (me|@\w+|him|her|us)|dress up|"
         r"outfit\w*|style (me|@\w+)|try-on|fitting|fit this|model this|look from|red carpet|met gala|"
         r"costume|uniform|put (me|@\w+) in|in the same (clothes|outfit)|swap my clothes|"
         r"how (do|would|will|does) (i|he|she|we|@\w+) look in|"
         r"try [\w' ]{1,25}? on (me|@\w+|him|her|us|myself)|"
         r"(show|see|picture|imagine) (me|myself|@\w+|him|her|us) in)\b"),
        (Workflow.REFERENCE_STYLING, 1.5, "clothing",
         r"\b(dress|gown|suit|tux\w*|jacket|coat|blazer|hoodie|jersey|kit|sneakers|heels|boots|shirt|"
         r"necklace|earrings|ring|watch|saree|sari|kimono|hanbok|lehenga|swimsuit|look|fit|premiere|grammys|"
         r"oscars|coachella|fashion week|gala|runway|catwalk|vogue|cannes|streetwear)\b"),
        (Workflow.STYLE_TRANSFER, 3.0, "art style",
         r"\b(style|styled|stylize|restyle|anime\w*|cartoon\w*|watercolou?r|oil painting|painting|painted|"
         r"painterly|sketch\w*|pencil|charcoal|pop art|pixel art|8-bit|comic\w*|ghibli\w*|pixar|disney|"
         r"van gogh|monet|picasso|rembrandt|vermeer|klimt|dali|hokusai|mucha|warhol|lichtenstein|"
         r"impressionis\w*|cubis\w*|ukiyo-e|woodblock|woodcut|engraving|mosaic|stained glass|claymation|"
         r"clay|lego|low poly|line art|vector|ink|sumi-e|embroidery|cross-stitch|crayons?|chalk|manga|"
         r"simpsons|south park|renaissance|noir|vaporwave|synthwave|aesthetic|hand-drawn|drawn|"
         r"(?<!the )statue|colou?ring (page|book)|blueprint|poster|cel shaded|-ify|ify|spider-?verse|"
         r"minecraft|fortnite|retro|cyberpunk|steampunk|art nouveau|art deco|graffiti|caricature|storybook|"
         r"into a drawing|as a drawing|bob ross|paper ?cut\w*|children'?s book|"
         r"(film|retro|vintage|polaroid|\d0s|\d{4}s) (look|vibe|feel|aesthetic)|"
         r"(look|looks|looking) like (a|an|the)? ?[\w' -]{0,30}?(movie|film|animation|cartoon|video ?game|series))\b"),
        (Workflow.IMAGE_ENHANCEMENT, 3.0, "quality words",
         r"\b(upscal\w*|upres\w*|sharp\w*|denois\w*|nois\w*|grain\w*|restor\w*|blur\w*|unblur|deblur|"
         r"resolution|res|hd|[248]k|[24]x|quality|pixelat\w*|pixelly|artifacts|compress\w*|colou?ri[sz]\w*|"
         r"add colou?rs?|colou?r cast|scratch\w*|damage\w*|faded|yellowed|crisp\w*|clear\w*|clarity|clarify|"
         r"enhance\w*|\w*expos\w*|white balance|contrast|dpi|haze|hazy|foggy|focus|fuzzy|dull|washed out|"
         r"dust( spots)?|muddy|dynamic range|vignetting|distortion|soft|brighten|(too|very|so|really) "
         r"(dark|bright)|low light|1080p|for (a )?print\w*|to print|cracked|torn|ripped|scan|scans|scann?ed|"
         r"details?|improv\w*|"
         r"shaky)\b"),
        (Workflow.IMAGE_EDITING, 2.5, "edit verbs",
         r"\b(remove|erase|delete|get rid of|take (out|off|away)|replace|swap|insert|inpaint|outpaint|"
         r"extend|edit out|clean up|clear|blur out|disappear|fill|move the|photobomb\w*|gone|"
         r"get (him|her|them|it|that) out)\b"),
        (Workflow.IMAGE_EDITING, 1.5, "change a part",
         r"\b(add|put|change|make the|make his|make her|make my|turn the|give (him|her|the)|instead( of)?|"
         r"recolou?r)\b"),
        (Workflow.IMAGE_GENERATION, 2.0, "make-something verbs",
         r"\b(generate|create|draw|design|render|illustrat\w*|imagine|visuali[sz]e|whip up|"
         r"(image|picture|photo|pic|painting|drawing|art|artwork|poster|logo|wallpaper|icon|sticker|"
         r"thumbnail|banner|flyer|card|cover|mascot|concept art) (of|for)|a (photo|picture|portrait|drawing))\b"),
    )
)
# Workflows that change someone's (or something's) own picture: with no image and no one to apply them
# to, their words describe the picture to make.
_NEEDS_SUBJECT = (Workflow.HAIR_STYLING, Workflow.REFERENCE_STYLING, Workflow.STYLE_TRANSFER)


class RulesClassifier(Classifier):
    """Scores keyword patterns, then lets context decide: video or image, audio or not, image or not."""

    method = Method.RULES

    def classify_many(self, requests: Sequence[ClassifyRequest]) -> list[Classification]:
        results = []
        for request in requests:
            start = time.perf_counter()
            workflow, confidence, reasoning = self.decide(request.prompt, request.has_image)
            elapsed = (time.perf_counter() - start) * 1000
            results.append(build_classification(request, workflow, confidence, reasoning, self.method, elapsed))
        return results

    def decide(self, prompt: str, has_image: bool) -> tuple[Workflow, float, str]:
        """The workflow, a confidence and the reasons, for one normalised prompt."""
        scene = _NOT_MOTION_SPANS.sub(" ", prompt)  # without "look like a ghibli movie", "the sign says"
        still = bool(_NO_VIDEO.search(prompt))
        image_ref = bool(_IMAGE_REF.search(prompt)) or has_image
        video = bool(_VIDEO.search(scene)) and not still
        audio = bool(_AUDIO.search(scene)) and not _NO_AUDIO.search(prompt)
        soundtrack = audio and bool(_SOUNDTRACK.search(scene)) and not _STILL.search(scene)
        animate = bool(_ANIMATE.search(scene)) and not still
        motion = animate or (bool(_MOTION.search(scene) or image_ref and _ACTION.search(scene)) and not still)
        fresh = bool(_FROM_SCRATCH.search(prompt))
        scores = self._scores(prompt)
        if not image_ref and not _SUBJECT.search(_FOR_ME.sub(" ", prompt)):
            for workflow in _NEEDS_SUBJECT:
                scores.pop(workflow, None)
        image_best = max(scores.values(), default=0.0)
        speech = audio and image_ref and _says(scene)  # "make this photo talk", "make my dog bark"
        if video and audio or speech or (soundtrack and not image_ref):
            return Workflow.VIDEO_GENERATION, 0.8, "asks for a video with sound, music or speech"
        if video or (motion and (image_best == 0.0 or image_ref and (animate or image_best < 3.0))):
            if image_ref and not fresh and (has_image or _IMAGE_REF.search(prompt)):
                why = "animate the working image" if has_image else "animate a photo the user refers to"
                return Workflow.IMAGE_TO_VIDEO, 0.75, f"asks for motion; {why}"
            return Workflow.TEXT_TO_VIDEO, 0.75, "asks for a silent video from a description"
        if not scores:
            if has_image and not fresh:
                return Workflow.IMAGE_EDITING, 0.35, "no keyword matched; an image is open, so an edit"
            return Workflow.IMAGE_GENERATION, 0.4, "no keyword matched; a new image from the description"
        adjusted = dict(scores)
        if has_image and not fresh:
            adjusted.pop(Workflow.IMAGE_GENERATION, None) if len(adjusted) > 1 else None
        else:
            adjusted[Workflow.IMAGE_GENERATION] = adjusted.get(Workflow.IMAGE_GENERATION, 0.0) + 1.5
            if Workflow.IMAGE_EDITING in adjusted and not _IMAGE_REF.search(prompt):
                adjusted[Workflow.IMAGE_EDITING] -= 1.5
        ranked = sorted(adjusted.items(), key=lambda item: item[1], reverse=True)
        best, score = ranked[0]
        margin = score - (ranked[1][1] if len(ranked) > 1 else 0.0)
        confidence = min(0.95, 0.45 + 0.08 * score + 0.05 * margin)
        reasons = ", ".join(f"{workflow.label} {value:g}" for workflow, value in ranked[:3])
        return best, confidence, f"keyword scores: {reasons}; has_image={has_image}"

    @staticmethod
    def _scores(prompt: str) -> dict[Workflow, float]:
        scores: dict[Workflow, float] = {}
        for rule in RULES:
            hits = len(rule.pattern.findall(prompt))
            if hits:
                scores[rule.workflow] = scores.get(rule.workflow, 0.0) + rule.weight * min(hits, 2)
        return scores


def _says(prompt: str) -> bool:
    return bool(_SAYS.search(prompt))

