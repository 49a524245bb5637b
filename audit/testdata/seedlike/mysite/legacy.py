# crossgate:ignore secret-in-source -- a revoked test key kept for the migration notes
OLD_KEY = "AKIACROSSGATEOLDKEY2"
