"""Importers of other SLO tools' files (Sloth, Pyrra, slo-generator) into OpenSLO v1."""
