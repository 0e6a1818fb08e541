"""The Python side of the CS warehouse: data generator, validation, publishing, reports."""
