// The workbench script (contract placeholder; the page work replaces it).
