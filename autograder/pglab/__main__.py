import sys

from pglab.cli.main import main

sys.exit(main())
