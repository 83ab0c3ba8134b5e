"""The statement's words, one module per language (``en``, ``de``, ``fr``, ``es``, ``ja``,
``zh``), each with one ``LABELS`` dict of ``str.format`` templates keyed as the English one.

``covenant.render.statement_labels`` picks the language for a locale and imports only that
module (and ``en``, the reference every reason is parsed with). A new language is a new module
here with exactly the English keys and, per key, the same placeholders (a test checks both),
and its code in ``statement_labels.LANGUAGES``.
"""
