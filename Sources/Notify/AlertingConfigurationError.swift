import Alerting

/// A problem in the `--alerting.config` file: which file, where, which key and what was expected
/// (`file:line[:column]: key.path: message`). The configuration files share one error type; the
/// message never contains a secret: file contents (URLs, keys) are not quoted.
public typealias AlertingConfigurationError = ConfigError
