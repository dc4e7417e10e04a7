/* ks386.c - the assembly's offsets (inc/ks386.h) against the structures:
 * a mismatch stops the build. */
#include "../../inc/ks386.h"
#include "../../inc/ketypes.h"
#include "../../inc/pstypes.h"

#define CHECK(sym, type, field) _Static_assert(sym == offsetof(type, field), #sym)
CHECK(PcExceptionList, KPCR, NtTib.ExceptionList);
CHECK(PcInitialStack, KPCR, NtTib.StackBase);
CHECK(PcTeb, KPCR, NtTib.Self);
CHECK(PcSelfPcr, KPCR, SelfPcr);
CHECK(PcGdt, KPCR, GDT);
CHECK(PcTss, KPCR, TSS);
CHECK(PcPrcbData, KPCR, PrcbData);
CHECK(PcCurrentThread, KPCR, PrcbData.CurrentThread);
CHECK(PcNextThread, KPCR, PrcbData.NextThread);
CHECK(PcKeSystemCalls, KPCR, PrcbData.KeSystemCalls);
CHECK(TssEsp0, KTSS, Esp0);
CHECK(ThInitialStack, KTHREAD, InitialStack);
CHECK(ThStackLimit, KTHREAD, StackLimit);
CHECK(ThTeb, KTHREAD, Teb);
CHECK(ThKernelStack, KTHREAD, KernelStack);
CHECK(ThDebugActive, KTHREAD, DebugActive);
CHECK(ThProcess, KTHREAD, ApcState.Process);
CHECK(ThContextSwitches, KTHREAD, ContextSwitches);
CHECK(ThServiceTable, KTHREAD, ServiceTable);
CHECK(ThCallbackStack, KTHREAD, CallbackStack);
CHECK(ThTrapFrame, KTHREAD, TrapFrame);
CHECK(ThPreviousMode, KTHREAD, PreviousMode);
CHECK(PrDirectoryTableBase, KPROCESS, DirectoryTableBase);
CHECK(TsDbgEbp, KTRAP_FRAME, DbgEbp);
CHECK(TsDbgEip, KTRAP_FRAME, DbgEip);
CHECK(TsDbgArgMark, KTRAP_FRAME, DbgArgMark);
CHECK(TsDbgArgPointer, KTRAP_FRAME, DbgArgPointer);
CHECK(TsDr0, KTRAP_FRAME, Dr0);
CHECK(TsDr7, KTRAP_FRAME, Dr7);
CHECK(TsSegGs, KTRAP_FRAME, SegGs);
CHECK(TsSegEs, KTRAP_FRAME, SegEs);
CHECK(TsSegDs, KTRAP_FRAME, SegDs);
CHECK(TsEdx, KTRAP_FRAME, Edx);
CHECK(TsEcx, KTRAP_FRAME, Ecx);
CHECK(TsEax, KTRAP_FRAME, Eax);
CHECK(TsPreviousPreviousMode, KTRAP_FRAME, PreviousPreviousMode);
CHECK(TsExceptionList, KTRAP_FRAME, ExceptionList);
CHECK(TsSegFs, KTRAP_FRAME, SegFs);
CHECK(TsEdi, KTRAP_FRAME, Edi);
CHECK(TsEsi, KTRAP_FRAME, Esi);
CHECK(TsEbx, KTRAP_FRAME, Ebx);
CHECK(TsEbp, KTRAP_FRAME, Ebp);
CHECK(TsErrCode, KTRAP_FRAME, ErrCode);
CHECK(TsEip, KTRAP_FRAME, Eip);
CHECK(TsSegCs, KTRAP_FRAME, SegCs);
CHECK(TsEFlags, KTRAP_FRAME, EFlags);
CHECK(TsHardwareEsp, KTRAP_FRAME, HardwareEsp);
CHECK(TsHardwareSegSs, KTRAP_FRAME, HardwareSegSs);
CHECK(CuInStk, KCALLOUT_FRAME, InitialStack);
CHECK(CuTrFr, KCALLOUT_FRAME, TrapFrame);
CHECK(CuCbStk, KCALLOUT_FRAME, CallbackStack);
CHECK(CuEdi, KCALLOUT_FRAME, Edi);
CHECK(CuEbp, KCALLOUT_FRAME, Ebp);
CHECK(CuRet, KCALLOUT_FRAME, ReturnAddress);
CHECK(CuOutBf, KCALLOUT_FRAME, Result);
CHECK(CuOutLn, KCALLOUT_FRAME, ResultLength);
CHECK(SdBase, KSERVICE_TABLE_DESCRIPTOR, Base);
CHECK(SdLimit, KSERVICE_TABLE_DESCRIPTOR, Limit);
CHECK(SdNumber, KSERVICE_TABLE_DESCRIPTOR, Number);
CHECK(UsSystemCallReturn, KUSER_SHARED_DATA, SystemCallReturn);
_Static_assert(KTRAP_FRAME_LENGTH == sizeof(KTRAP_FRAME), "KTRAP_FRAME_LENGTH");
_Static_assert(KTRAP_FRAME_OFFSET == NPX_FRAME_LENGTH + KTRAP_FRAME_LENGTH, "KTRAP_FRAME_OFFSET");
