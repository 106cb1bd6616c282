"""Everything that runs jobs, stores results or talks to the user, in stages (lower ones never import higher ones):

``engines`` (how energies are computed) → ``store`` (the results store and the one look-up layer) →
``stability`` (windows and reactions from entries) → ``flows`` (jobflow Makers) → ``run`` (the analyses, the
executor, here or on FireWorks) and ``materials`` (library curation, interface files) → ``study`` (a screening
study from YAML) → ``report`` (queries, tables, plots, HTML) → ``cli`` (the ``ssbi`` command line).
``errors``, ``paths``, ``schemas`` and ``_compat`` are the base every stage may use; ``_legacy`` serves the
import names of before the ``ssbi`` root for one release.
"""

from ssbi.workflows._legacy import install as _serve_legacy_names

_serve_legacy_names()  # documents and FireWorks workflows stored before the ssbi root name workflows.* (one release)
