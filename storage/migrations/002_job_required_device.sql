-- The device kind a job asks for ("cpu" or "cuda"; NULL = any). `device` keeps where it ran.
ALTER TABLE jobs ADD COLUMN required_device VARCHAR;
