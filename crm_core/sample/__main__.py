"""`python -m crm_core.sample --out DIR ...`: write a sample data set (see `--help`)."""

import sys

from crm_core.sample.files import main

sys.exit(main())
