"""Personas: profiles, the base-image approval workflow, persona-voiced text and batch images.

```python
persona = engine.personas.create(PersonaProfile(name="Ada", personality_traits=["analytical"]), owner=owner)
engine.personas.upload_base_image(persona.id, png_bytes, owner=owner)
engine.personas.transition(persona.id, "approved", owner=owner, reason="looks right")
post = engine.personas.write(persona.id, "the future of robotics", owner=owner, seed=7)
images = engine.personas.batch(persona.id, ["at the lab", "on stage"], owner=owner)
```
"""

from engine.personas.models import (
    BaseImageStatus,
    BatchImage,
    Persona,
    PersonaProfile,
    PersonaText,
    Transition,
)
from engine.personas.service import MAX_BATCH, PersonaService
from engine.personas.templates import DEFAULT_STYLE, STYLES, TemplateLibrary, TemplatePost

__all__ = [
    "DEFAULT_STYLE",
    "MAX_BATCH",
    "STYLES",
    "BaseImageStatus",
    "BatchImage",
    "Persona",
    "PersonaProfile",
    "PersonaService",
    "PersonaText",
    "TemplateLibrary",
    "TemplatePost",
    "Transition",
]
