"""notices: document automation for work-safety supervision offices.

Pipeline: read (registry, workbooks) -> assess (pure status rules) -> compose
(document contexts) -> render (templates to .docx/.xlsx) -> file (register, PDF,
archive). The CLI in ``notices.cli`` is a thin layer over these modules.
"""

__version__ = "0.1.0"
