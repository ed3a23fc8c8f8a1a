"""The course quiz's answers: a person's latest answer to each question, by lesson."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb

from engine.errors import StorageError
from storage.database import Database

__all__ = ["QuizAnswerRepository", "QuizAnswerRow"]


@dataclass(frozen=True)
class QuizAnswerRow:
    user_id: str
    module_id: str
    question_id: str
    choice: int | None
    correct: bool
    answered_at: datetime
    owner: str


class QuizAnswerRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    def replace_lesson(self, user_id: str, module_id: str, rows: Sequence[QuizAnswerRow]) -> None:
        """The lesson's answers of the person become `rows` (one transaction)."""
        try:
            with self._db.transaction() as tx:
                tx.execute("DELETE FROM course_quiz_answers WHERE user_id = ? AND module_id = ?", [user_id, module_id])
                tx.executemany(
                    "INSERT INTO course_quiz_answers (user_id, module_id, question_id, choice, correct, answered_at,"
                    " owner) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [[r.user_id, r.module_id, r.question_id, r.choice, r.correct, r.answered_at, r.owner] for r in rows],
                )
        except duckdb.Error as exc:
            raise StorageError(f"Could not record the quiz answers: {exc}") from exc

    def for_user(self, user_id: str) -> list[QuizAnswerRow]:
        try:
            rows = self._db.cursor().execute(
                "SELECT user_id, module_id, question_id, choice, correct, answered_at, owner"
                " FROM course_quiz_answers WHERE user_id = ? ORDER BY answered_at, question_id",
                [user_id],
            ).fetchall()
        except duckdb.Error as exc:
            raise StorageError(f"Could not read the quiz answers: {exc}") from exc
        return [QuizAnswerRow(*row) for row in rows]
