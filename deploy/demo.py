"""Demo data for the run command, loaded through the gateway's HTTP API.

``python -m deploy.demo URL`` loads it (once; a second run changes nothing);
``python -m deploy.demo --logins`` prints the demo accounts.
"""
import sys

DEMO_ACCOUNTS = []  # (role, username, password) rows, filled as features arrive


def load(gateway_url):
    """Nothing to load until the identity and later features exist."""
    return 0


def main(argv):
    if argv and argv[0] == "--logins":
        if DEMO_ACCOUNTS:
            print("  Demo logins:")
            for role, username, password in DEMO_ACCOUNTS:
                print(f"    {role:<12} {username:<20} {password}")
        return
    url = argv[0] if argv else "http://127.0.0.1:8000"
    created = load(url)
    print(f"demo data: {created} new items")


if __name__ == "__main__":
    main(sys.argv[1:])
