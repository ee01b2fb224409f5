import XCTest
@testable import Checkpoint
final class CheckpointPlaceholderTests: XCTestCase { func testModuleLinks() {} }
