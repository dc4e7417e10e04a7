/* sieve.S - the benchmark loop: count the primes below N with the sieve of
 * Eratosthenes.  32-bit flat code, position independent, run unchanged in
 * ringsim and natively (bench/sieve_native32.c).
 *   in:  ESI = flag array (N bytes), ECX = N (>= 3)
 *   out: EAX = number of primes below N; EBX EDI EBP ESI ECX preserved
 * bench.c mirrors this loop structure to know the exact dynamic instruction
 * count; keep the two in step.
 */
    .text
    .code32
    .globl sieve
sieve:
    push %ebx
    push %edi
    push %ebp
    mov  %ecx, %ebp
    xor  %eax, %eax
1:  movb $1, (%esi,%eax)            /* flags[i] = 1 for every i < N */
    add  $1, %eax
    cmp  %ebp, %eax
    jb   1b
    xor  %edi, %edi                 /* prime count */
    mov  $2, %ebx                   /* i */
2:  cmpb $0, (%esi,%ebx)
    je   4f
    add  $1, %edi
    mov  %ebx, %eax
    imul %ebx, %eax                 /* j = i * i */
    jo   4f                         /* past 2^31: no multiple left below N */
    cmp  %ebp, %eax
    jae  4f
3:  movb $0, (%esi,%eax)            /* strike out multiples of i */
    add  %ebx, %eax
    cmp  %ebp, %eax
    jb   3b
4:  add  $1, %ebx
    cmp  %ebp, %ebx
    jb   2b
    mov  %edi, %eax
    pop  %ebp
    pop  %edi
    pop  %ebx
    ret
    .section .note.GNU-stack, "", @progbits
