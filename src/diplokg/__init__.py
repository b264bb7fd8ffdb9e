"""diplokg: a sourced, inferable knowledge graph of diplomatic relations."""

from .api import Answer, KnowledgeGraph, build, open
from .errors import DiplokgError, InputError, InvalidInput, Problem

__all__ = ["Answer", "DiplokgError", "InputError", "InvalidInput", "KnowledgeGraph", "Problem", "build", "open"]
