"""Studio's in-process engine. Import what you need from its modules:

- `engine.settings`: `Settings`, `load_settings`
- `engine.engine`: `Engine`, `build_engine`
- `engine.errors`: the error tree
- `engine.providers`: interfaces, registry, gateway
- `engine.queue`: the persisted generation queue
"""
