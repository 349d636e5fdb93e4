"""Worked examples, one script per example, each readable top to bottom as the derivation.

Installed as ``semiclassical.derivations`` (pyproject.toml maps this folder there) so that
``semiclassical reproduce`` runs the same steps a reader sees; each script also runs on its own:

    python derivations/ti_anomalous_hall.py       # Sec. VI A, Eqs. 68-86
    python derivations/ti_spin_orbit_torque.py    # Sec. VI B, Eqs. 87-105
    python derivations/rashba_ferromagnet.py      # a user-defined model, two Fermi circles

Other scripts in this folder may be plain scripts (not imported by the package).
"""
