import ModctlCommands

/// `modctl`: everything is in ModctlCommands; this is the program's entry.
@main
enum ModctlMain {
    static func main() async { await Modctl.main() }
}
