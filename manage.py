#!/usr/bin/env python
"""Django's command-line utility; `commonweal` is the same with a shorter name."""

from commonweal.cli import main

if __name__ == "__main__":
    main()
