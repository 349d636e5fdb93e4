"""semiclassical: symbolic semiclassical transport theory of disordered two-band conductors.

Implements Burgos Atencia, Niu and Culcer, "Semiclassical equations of motion for disordered
conductors" (2021). See README.md and docs/design.md.
"""
__version__ = "0.1.0"
