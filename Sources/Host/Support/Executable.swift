import Foundation

public enum Executable {
    /// This process's executable, resolved through /proc so a symlinked `mage` finds its real folder.
    public static var url: URL? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return Bundle.main.executableURL
        }
        return URL(fileURLWithPath: path)
    }
}
