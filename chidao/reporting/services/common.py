"""Constants shared by the reporting services."""

import re

EDITOR = "secretariat"
THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")  # Vietnamese thousands: 1.234.567
