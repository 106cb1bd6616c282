"""Engines: one name (or an :class:`~ssbi.workflows.engines.spec.EngineSpec`: name plus settings) selects how
energies are computed.

``get_engine("chgnet")`` (:mod:`~ssbi.workflows.engines.registry`) returns the
:class:`~ssbi.workflows.engines.base.Engine` whose atomate2 Makers every flow uses; a Maker carries the spec and
resolves it once (:class:`~ssbi.workflows.engines.maker.EngineMaker`), so flows take ``engine=`` and nothing else
changes:

- ``chgnet`` (default), ``sevennet``: atomate2 force-field makers, model loaded once per process;
- ``cp2k``: atomate2 CP2K makers with slab-appropriate settings;
- ``vasp``: atomate2 VASP makers with slab/interface input sets (inputs only here).

Settings live in ``configs/engines/NAME.yaml`` (:mod:`~ssbi.workflows.engines.config`).
"""
