"""A transparent baseline: keyword patterns plus context (video? audio? an image to work on?)."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

from engine.intent.classifier import Classifier, build_classification
from engine.intent.models import Classification, ClassifyRequest, Method, Workflow

__all__ = ["RulesClassifier", "RulePattern", "RULES"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class RulePattern:
    workflow: Workflow
    pattern: re.Pattern[str]
    weight: float
    name: str


_VIDEO = _rx(
    r"\b(videos?|vids?|clips?|footage|animat\w*|gif|time ?lapse|slow[- ]?mo\w*|reels?|tiktok|film|trailer|"
    r"loop\w*|b-roll|cinemagraph|movie|boomerang|shot through|tracking shot|dolly|drone)\b"
)
_AUDIO = _rx(
    r"\b(music\w*|songs?|sound\w*|audio|voices?|voice ?over|narrat\w*|narrator|speech|speak\w*|talk\w*|says?|"
    r"saying|sing\w*|lip ?sync\w*|soundtrack|jingle|dialogue|podcast|bark\w*|roar\w*|asmr|hear|chirp\w*|"
    r"chant\w*|beat|beats|orchestra\w*|band|choir|purr\w*|meow\w*|howl\w*|neigh\w*|revving|booms?|thunder|"
    r"toast|sermon|anchor|announcer|explain\w*|tutorial|karaoke|lullaby|whisper\w*|crackl\w*|sizzl\w*|"
    r"laugh\w*|cheer\w*|drum\w*|piano|guitar|violin|saxophone|dj|vlog)\b"
)
_NO_AUDIO = _rx(r"\b(no (sound|audio)|without (sound|audio)|silent|mute[d]?|visuals? only|no audio needed)\b")
_MOTION = _rx(
    r"\b(move|moves|moving|movement|motion|animate\w*|come (a)?live|comes? to life|to life|blink\w*|wave|waves|"
    r"waving|sway\w*|flow\w*|zoom\w*|pan|pans|panning|parallax|ken burns|dolly|orbit|live photo|living photo|"
    r"twinkl\w*|flicker\w*|spin|rotate|walk\w*|jump\w*|nod|smile|drive off|sail away|blow in|breez\w*|fall|roll)\b"
)
_IMAGE_REF = _rx(
    r"\b(this|my|the|our|that|his|her|in) (old |late |family |wedding |baby'?s? )?"
    r"(photo|pic|picture|image|portrait|selfie|shot|painting|drawing|illustration|still|art|landscape)s?\b|"
    r"\b(photo|image|picture|pic) (to|into) (a )?(video|clip|animation)\b"
)
_FROM_SCRATCH = _rx(r"\b(from scratch|brand new|totally new|completely different|new (image|pic|picture|video)|forget|ignore|not (an edit|from my))\b")

RULES: tuple[RulePattern, ...] = tuple(
    RulePattern(workflow, _rx(pattern), weight, name)
    for workflow, weight, name, pattern in (
        (Workflow.HAIR_STYLING, 3.0, "hair words",
         r"\b(hair\w*|haircut|hairstyles?|hairdo|bangs|fringe|bob|pixie|buzz ?cut|fade|mullet|mohawk|braids?|"
         r"braid|cornrows|dread\w*|pony ?tail|pony|bun|updo|perm|curls?|curly|wavy|blonde?|brunette|redhead|"
         r"ginger|balayage|ombre|highlights|streaks|undercut|shag|lob|afro|bald|shaved head|crew cut|"
         r"pompadour|pigtails|top knot|wolf cut|dye|roots|blowout|side part)\b"),
        (Workflow.REFERENCE_STYLING, 3.0, "try-on or dress-up",
         r"\b(try (this|these|it|them|that)? ?on|try on|wear|wears|wearing|dress (me|@\w+|him|her|us)|dress up|"
         r"outfit\w*|style (me|@\w+)|try-on|fitting|fit this|model this|look from|red carpet|met gala|"
         r"costume|uniform|put (me|@\w+) in|in the same (clothes|outfit)|swap my clothes)\b"),
        (Workflow.REFERENCE_STYLING, 1.5, "clothing",
         r"\b(dress|gown|suit|tux\w*|jacket|coat|blazer|hoodie|jersey|kit|sneakers|heels|boots|shirt|"
         r"necklace|earrings|ring|watch|saree|kimono|lehenga|swimsuit|look|fit|premiere|grammys|oscars|"
         r"coachella|fashion week)\b"),
        (Workflow.STYLE_TRANSFER, 3.0, "art style",
         r"\b(style|styled|stylize|restyle|anime\w*|cartoon\w*|watercolou?r|oil painting|painting|painted|"
         r"painterly|sketch\w*|pencil|charcoal|pop art|pixel art|8-bit|comic\w*|ghibli\w*|pixar|disney|"
         r"van gogh|monet|picasso|rembrandt|vermeer|klimt|dali|hokusai|mucha|warhol|lichtenstein|"
         r"impressionis\w*|cubis\w*|ukiyo-e|woodblock|woodcut|engraving|mosaic|stained glass|claymation|"
         r"clay|lego|low poly|line art|vector|ink|sumi-e|embroidery|cross-stitch|crayons?|chalk|manga|"
         r"simpsons|south park|renaissance|noir|vaporwave|synthwave|aesthetic|hand-drawn|drawn|statue|"
         r"coloring page|blueprint|poster|cel shaded|-ify|ify)\b"),
        (Workflow.IMAGE_ENHANCEMENT, 3.0, "quality words",
         r"\b(upscal\w*|sharp\w*|denois\w*|nois\w*|grain\w*|restor\w*|blur\w*|unblur|deblur|resolution|"
         r"res|hd|[248]k|[24]x|quality|pixelat\w*|pixelly|artifacts|compress\w*|colou?ri[sz]e|colou?r cast|"
         r"scratch\w*|damage\w*|faded|yellowed|crisp\w*|clear\w*|clarity|clarify|enhance\w*|expos\w*|"
         r"white balance|contrast|dpi|haze|hazy|foggy|focus|fuzzy|dull|washed out|dust spots|muddy|"
         r"dynamic range|vignetting|distortion|soft|brighten|too dark|low light|1080p|print)\b"),
        (Workflow.IMAGE_EDITING, 2.5, "edit verbs",
         r"\b(remove|erase|delete|get rid of|take (out|off|away)|replace|swap|insert|inpaint|outpaint|"
         r"extend|edit out|clean up|clear|blur out|disappear|fill|move the|photobomb\w*)\b"),
        (Workflow.IMAGE_EDITING, 1.5, "change a part",
         r"\b(add|put|change|make the|make his|make her|make my|turn the|give (him|her|the))\b"),
        (Workflow.IMAGE_GENERATION, 2.0, "make-something verbs",
         r"\b(generate|create|draw|design|render|illustrat\w*|imagine|visuali[sz]e|whip up|"
         r"(image|picture|photo|pic|painting|drawing|art|artwork|poster|logo|wallpaper|icon|sticker|"
         r"thumbnail|banner|flyer|card|cover|mascot|concept art) (of|for)|a (photo|picture|portrait|drawing))\b"),
    )
)


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
        video = bool(_VIDEO.search(prompt))
        audio = bool(_AUDIO.search(prompt)) and not _NO_AUDIO.search(prompt)
        motion = bool(_MOTION.search(prompt))
        image_ref = bool(_IMAGE_REF.search(prompt)) or has_image
        fresh = bool(_FROM_SCRATCH.search(prompt))
        scores = self._scores(prompt)
        image_best = max(scores.values(), default=0.0)
        if video and audio or (audio and image_ref and (motion or _says(prompt))):
            return Workflow.VIDEO_GENERATION, 0.8, "asks for a video with sound, music or speech"
        if video or (motion and (image_best == 0.0 or image_ref and image_best < 3.0)):
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
    return bool(re.search(r"\b(say\w*|speak\w*|talk\w*|sing\w*|lip ?sync\w*|bark\w*|music|sound\w*)\b", prompt, re.I))
