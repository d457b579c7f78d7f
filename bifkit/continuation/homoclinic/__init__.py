"""Homoclinic orbits: "HC-C" (to a saddle) and "HSN-C" (to a saddle-node).

See :func:`bifkit.continuation.homoclinic.curve.continue_homoclinic`.
"""
