#if canImport(Glibc)
    import Glibc
#endif

extension RegularFile {
    /// Why a file could not be read: the path (the context every case shares) and what went wrong.
    public struct ReadError: Error, Equatable, Sendable, CustomStringConvertible {
        /// What went wrong.
        public enum Kind: Equatable, Sendable {
            /// `open`, `fstat` or `read` failed with `errno`.
            case system(errno: Int32)
            /// The path names something else than a regular file (opening it could block).
            case notRegularFile(FileType)
            /// The file is larger than `limit` bytes (refused, never read in part).
            case tooLarge(limit: Int)
        }

        /// The kinds of file that are not regular files, as the message names them.
        public enum FileType: Equatable, Sendable, CustomStringConvertible {
            case fifo, directory, characterDevice, blockDevice, socket
            /// Any other type, by its `st_mode & S_IFMT` bits.
            case other(mode: UInt32)

            /// The type of `st_mode & S_IFMT`.
            init(_ type: mode_t) {
                switch type {
                case S_IFIFO: self = .fifo
                case S_IFDIR: self = .directory
                case S_IFCHR: self = .characterDevice
                case S_IFBLK: self = .blockDevice
                case S_IFSOCK: self = .socket
                default: self = .other(mode: UInt32(type))
                }
            }

            /// `a FIFO`, `a directory`, ... `file type 160000` (octal).
            public var description: String {
                switch self {
                case .fifo: return "a FIFO"
                case .directory: return "a directory"
                case .characterDevice: return "a character device"
                case .blockDevice: return "a block device"
                case .socket: return "a socket"
                case .other(let mode): return "file type \(String(mode, radix: 8))"
                }
            }
        }

        /// The file that could not be read, as given.
        public let path: String
        /// What went wrong.
        public let kind: Kind

        public init(path: String, kind: Kind) {
            self.path = path
            self.kind = kind
        }

        /// One short phrase without the path, for callers that name the path themselves: the
        /// `strerror` text, `not a regular file (a FIFO)`, `larger than 1048576 bytes`.
        public var reason: String {
            switch kind {
            case .system(let code): return String(cString: strerror(code))
            case .notRegularFile(let type): return "not a regular file (\(type))"
            case .tooLarge(let limit): return "larger than \(limit) bytes"
            }
        }

        /// True when the file was refused for exceeding the size limit (callers word that their way).
        public var isTooLarge: Bool {
            if case .tooLarge = kind { return true }
            return false
        }

        /// `<path>: <reason>`.
        public var description: String { "\(path): \(reason)" }
    }
}
