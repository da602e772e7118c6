width = 8
