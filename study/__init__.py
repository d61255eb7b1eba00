"""Study content: the study file model and its loader."""

from study.loader import DEFAULT_STUDY_FILE, StudyError, load_study
from study.model import ConsentStatement, Section, Study

__all__ = [
    "DEFAULT_STUDY_FILE",
    "ConsentStatement",
    "Section",
    "Study",
    "StudyError",
    "load_study",
]
