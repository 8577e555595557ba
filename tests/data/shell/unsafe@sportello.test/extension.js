/* exported init */
// Test only (tests/integration/test_shell_extension.py): unsafe mode lets the test read the
// shell's state with Eval, activate menu items and take a screenshot. Never installed.
class Extension {
    enable() {
        global.context.unsafe_mode = true;
    }

    disable() {
        global.context.unsafe_mode = false;
    }
}

function init() {
    return new Extension();
}
