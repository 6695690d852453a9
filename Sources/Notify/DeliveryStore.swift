import Logging
import Sockets

#if canImport(Glibc)
    import Glibc
#endif

/// The `--storage.path` directory's delivery record file (`delivery-record.txt`), written
/// atomically (temporary file, `fsync`, `rename`, `fsync` of the directory) so a crash leaves
/// the old or the new record, never half of one. A file that cannot be read or parsed is
/// reported (logged at error level) and ignored: the exporter starts as without storage.
final class DeliveryStore: Sendable {
    /// The largest record read back (a foreign file must not exhaust memory).
    static let maxBytes = 64 << 20
    static let fileName = "delivery-record.txt"

    let path: String
    private let logger: Logger

    init(directory: String, logger: Logger) {
        var dir = directory
        while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
        path = dir + "/" + Self.fileName
        self.logger = logger
    }

    /// The stored record, nil when there is none or it is unusable (logged).
    func load() -> DeliveryRecord? {
        if access(path, F_OK) != 0 { return nil }
        switch RegularFile.read(path, maximumBytes: Self.maxBytes) {
        case .failure(let error):
            logger.error(
                "cannot read the stored delivery record; starting without it",
                metadata: ["path": "\(path)", "err": "\(error.reason)"])
            return nil
        case .success(let bytes):
            do {
                let record = try DeliveryRecord.decode(String(decoding: bytes, as: UTF8.self))
                logger.info(
                    "delivery record restored", metadata: ["path": "\(path)", "groups": "\(record.groups.count)"])
                return record
            } catch {
                logger.error(
                    "ignoring the stored delivery record; starting without it",
                    metadata: ["path": "\(path)", "err": "\(error.description)"])
                return nil
            }
        }
    }

    /// Writes `record`; failures are logged (the previous file stays).
    func save(_ record: DeliveryRecord) {
        if let error = AtomicFile.write(path: path, bytes: Array(record.encoded().utf8)) {
            logger.error("cannot write the delivery record", metadata: ["path": "\(path)", "err": "\(error)"])
        }
    }
}
