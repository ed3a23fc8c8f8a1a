-- The spot-the-fake quiz at the end of the course: a person's latest answer to each question.
-- A new attempt at a lesson replaces that lesson's answers. Deleted with the person and the owner.
CREATE TABLE course_quiz_answers (
    user_id VARCHAR NOT NULL,
    module_id VARCHAR NOT NULL,
    question_id VARCHAR NOT NULL,
    choice INTEGER,                   -- index into the question's choices; NULL when left unanswered
    correct BOOLEAN NOT NULL,
    answered_at TIMESTAMP NOT NULL,
    owner VARCHAR NOT NULL
);
