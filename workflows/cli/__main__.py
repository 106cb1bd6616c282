import sys

from ssbi.workflows.cli import main

sys.exit(main())
