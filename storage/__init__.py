"""Storage: the only code that writes SQL or files (DuckDB, migrations, repositories, media)."""
